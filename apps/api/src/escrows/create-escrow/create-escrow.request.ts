/** The body of `POST /escrows` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsObject, IsUUID } from 'class-validator';
import { AmountField, CurrencyField, OptionalOrNull } from '../../http/dto-fields';

export const DOMAINS = ['private', 'public', 'aid'] as const;

export class CreateEscrowBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  client_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  provider_id!: string;

  @AmountField({ example: '500.00', description: 'decimal string at the currency scale' })
  amount_total!: string;

  @CurrencyField()
  currency!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { on_deadline: 'release' } })
  @IsObject()
  release_conditions!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  deadline_at!: string;

  @ApiPropertyOptional({ enum: DOMAINS, nullable: true })
  @OptionalOrNull()
  @IsIn(DOMAINS)
  domain?: (typeof DOMAINS)[number] | null;
}
