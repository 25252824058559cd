/** The filters of `GET /escrows` (validated; unknown ones refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../http/pagination';

export const ESCROW_STATUSES = [
  'DRAFT',
  'FUNDED',
  'RELEASABLE',
  'RELEASED',
  'REFUNDED',
  'CANCELLED',
] as const;

export class EscrowListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ESCROW_STATUSES })
  @IsOptional()
  @IsIn(ESCROW_STATUSES)
  status?: (typeof ESCROW_STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  client_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  @Type(() => String)
  provider_id?: string;
}
