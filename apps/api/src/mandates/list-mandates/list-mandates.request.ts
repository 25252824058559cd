/** The query filters of `GET /mandates` (validated; unknown fields refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../http/pagination';
import { UuidFilter } from '../shared/request-fields';

export const MANDATE_STATUSES = ['ACTIVE', 'CONSUMED', 'EXPIRED'] as const;

export class MandateListQuery extends PageQuery {
  @UuidFilter()
  sender_id?: string;

  @UuidFilter()
  beneficiary_id?: string;

  @ApiPropertyOptional({ enum: MANDATE_STATUSES })
  @IsOptional()
  @IsIn(MANDATE_STATUSES)
  status?: (typeof MANDATE_STATUSES)[number];
}
