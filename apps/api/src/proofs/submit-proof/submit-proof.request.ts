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
    maxLength: 1024,
    description: 'without file_id: where the file is (its metadata is then a claim)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'storage_url must be an http(s) URL' })
  storage_url?: string;

  @ApiPropertyOptional({ description: 'with storage_url: the file’s sha256 (hex)' })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hex characters' })
  sha256?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @OptionalOrNull()
  @IsObject()
  metadata?: Record<string, unknown> | null;
}

/** A proof names an upload (`file_id`) or a claimed file (`storage_url` with `sha256`), not both. */
export function assertOneSource(body: SubmitProofBody): void {
  const withFile = body.file_id !== undefined;
  const withClaim = body.storage_url !== undefined || body.sha256 !== undefined;
  if (
    withFile === withClaim ||
    (withClaim && (body.storage_url === undefined || body.sha256 === undefined))
  ) {
    throw new ApiError(422, 'VALIDATION_ERROR', 'give file_id, or storage_url with sha256', {
      fields: { file_id: ['give file_id (an upload), or storage_url and sha256, not both'] },
    });
  }
}
