/** The query filters of `GET /mandates` (validated; unknown fields refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../http/pagination';

export const MANDATE_STATUSES = ['ACTIVE', 'CONSUMED', 'EXPIRED'] as const;

export class MandateListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sender_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  beneficiary_id?: string;

  @ApiPropertyOptional({ enum: MANDATE_STATUSES })
  @IsOptional()
  @IsIn(MANDATE_STATUSES)
  status?: (typeof MANDATE_STATUSES)[number];
}
