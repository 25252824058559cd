/** The filters of `GET /escrows/{id}/payments` (validated; unknown ones refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../http/pagination';

export const PAYMENT_KINDS = ['payout', 'refund', 'spend'] as const;

export class EscrowPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PAYMENT_KINDS })
  @IsOptional()
  @IsIn(PAYMENT_KINDS)
  kind?: (typeof PAYMENT_KINDS)[number];
}
