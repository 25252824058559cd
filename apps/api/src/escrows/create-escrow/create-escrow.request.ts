/** The body of `POST /escrows` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsInt, IsObject, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import { AmountField, CurrencyField, OptionalOrNull } from '../../http/dto-fields';

export const DOMAINS = ['private', 'public', 'aid'] as const;

/** The only payment mode this service runs (FRONTEND-CONTRACT A9: no Direct Pay here). */
export const PAYMENT_MODES = ['MILESTONE'] as const;

export class CreateEscrowBody {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "the client; absent: the caller's own user (a key without one must give it)",
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsUUID()
  client_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the provider (or `provider_user_id`)' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsUUID()
  provider_id?: string;

  @ApiPropertyOptional({
    example: 2,
    description: "the provider's user number (FRONTEND-CONTRACT D3), instead of `provider_id`",
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  provider_user_id?: number;

  @ApiPropertyOptional({ enum: PAYMENT_MODES, default: 'MILESTONE' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(PAYMENT_MODES, {
    message: 'payment_mode must be MILESTONE (Direct Pay and beneficiaries are not offered)',
  })
  payment_mode?: (typeof PAYMENT_MODES)[number];

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
