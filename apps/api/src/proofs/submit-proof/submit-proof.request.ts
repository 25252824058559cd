/** The body of `POST /proofs` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ApiError } from '../../http/api-error';
import { OptionalOrNull } from '../../http/dto-fields';
import { proofFileUrl } from '../shared/proofs.view';

export class SubmitProofBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  escrow_id!: string;

  @ApiProperty({ minimum: 0, description: "the milestone's sequence_index" })
  @IsInt()
  @Min(0)
  @Max(10_000)
  milestone_idx!: number;

  @ApiProperty({ maxLength: 50, example: 'PHOTO' })
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  type!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'an upload from POST /proofs/files (its EXIF is authoritative)',
  })
  @IsOptional()
  @IsUUID()
  file_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "the frontend's name for file_id: the file_id of POST /files/proofs",
  })
  @IsOptional()
  @IsUUID()
  storage_key?: string;

  @ApiPropertyOptional({
    maxLength: 1024,
    description:
      'without an upload: where the file is (its metadata is then a claim); beside one: its storage_url, /proofs/files/{file_id}',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  storage_url?: string;

  @ApiPropertyOptional({
    description: 'with storage_url: the file’s sha256 (hex); beside an upload: its sha256',
  })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hex characters' })
  sha256?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @OptionalOrNull()
  @IsObject()
  metadata?: Record<string, unknown> | null;
}

const HTTP_URL = /^https?:\/\/[^\s]+$/;

const invalidSource = (field: string, message: string) =>
  new ApiError(422, 'VALIDATION_ERROR', `${field} ${message}`, { fields: { [field]: [message] } });

/**
 * The upload a proof names (`file_id`, or `storage_key`, the frontend's name for it: both must
 * agree), or null for a claimed file (`storage_url` with `sha256`, an http(s) URL). Beside an
 * upload, a `storage_url` must be the upload's own (`/proofs/files/{id}`, A10); its `sha256` is
 * checked against the upload by the service.
 */
export function proofSource(body: SubmitProofBody): string | null {
  const fileId = body.file_id?.toLowerCase();
  const storageKey = body.storage_key?.toLowerCase();
  if (fileId !== undefined && storageKey !== undefined && fileId !== storageKey)
    throw invalidSource('storage_key', 'must be the same upload as file_id');
  const upload = fileId ?? storageKey ?? null;
  if (upload !== null) {
    if (body.storage_url !== undefined && body.storage_url !== proofFileUrl(upload))
      throw invalidSource(
        'storage_url',
        `must be the upload's storage_url, ${proofFileUrl(upload)}`,
      );
    return upload;
  }
  if (body.storage_url === undefined || body.sha256 === undefined) {
    throw new ApiError(
      422,
      'VALIDATION_ERROR',
      'give storage_key (or file_id), or storage_url with sha256',
      {
        fields: {
          file_id: ['give storage_key or file_id (an upload), or storage_url and sha256'],
        },
      },
    );
  }
  if (!HTTP_URL.test(body.storage_url))
    throw invalidSource('storage_url', 'must be an http(s) URL');
  return null;
}
