/** Request bodies and query filters of the proof routes (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
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
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../http/pagination';

export const PROOF_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'] as const;

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
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsObject()
  metadata?: Record<string, unknown> | null;
}

export class ProofDecisionBody {
  @ApiProperty({ enum: ['approve', 'approved', 'reject', 'rejected'] })
  @IsIn(['approve', 'approved', 'reject', 'rejected'])
  decision!: 'approve' | 'approved' | 'reject' | 'rejected';

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ProofListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROOF_STATUSES })
  @IsOptional()
  @IsIn(PROOF_STATUSES)
  status?: (typeof PROOF_STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  escrow_id?: string;
}
