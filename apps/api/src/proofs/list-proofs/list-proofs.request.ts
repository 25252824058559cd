/** The filters of `GET /proofs` (validated; unknown fields refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../http/pagination';

export const PROOF_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'] as const;

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
