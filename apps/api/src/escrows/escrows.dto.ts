/** Request bodies and query filters of the escrow routes (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../http/pagination';
import { AmountField, CurrencyField, MoneyKeysAreStrings } from '../http/dto-fields';

export const DOMAINS = ['private', 'public', 'aid'] as const;
export const PROOF_KINDS = ['PHOTO', 'PDF', 'INVOICE', 'CONTRACT'] as const;
export const ESCROW_STATUSES = [
  'DRAFT',
  'FUNDED',
  'RELEASABLE',
  'RELEASED',
  'REFUNDED',
  'CANCELLED',
] as const;

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
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsIn(DOMAINS)
  domain?: (typeof DOMAINS)[number] | null;
}

export class AddMilestoneBody {
  @ApiProperty({ maxLength: 255 })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  label!: string;

  @AmountField({ example: '100.00' })
  amount!: string;

  @CurrencyField()
  currency!: string;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  sequence_index!: number;

  @ApiPropertyOptional({ enum: PROOF_KINDS, default: 'PHOTO' })
  @IsOptional()
  @IsIn(PROOF_KINDS)
  proof_kind?: (typeof PROOF_KINDS)[number];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'expected_amount: a decimal string',
  })
  @IsOptional()
  @IsObject()
  @MoneyKeysAreStrings(['expected_amount'])
  proof_requirements?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: -90, maximum: 90 })
  @IsOptional()
  @IsNumber()
  @Min(-90)
  @Max(90)
  geofence_lat?: number;

  @ApiPropertyOptional({ minimum: -180, maximum: 180 })
  @IsOptional()
  @IsNumber()
  @Min(-180)
  @Max(180)
  geofence_lng?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100000 })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(100_000)
  geofence_radius_m?: number;
}

/** The optional body of client-approve and client-reject (the old service's `{note?, proof_url?}`). */
export class ClientDecisionBody {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ maxLength: 2048, description: 'accepted for compatibility; not stored' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  proof_url?: string;
}

export const PAYMENT_KINDS = ['payout', 'refund', 'spend'] as const;

export class EscrowPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PAYMENT_KINDS })
  @IsOptional()
  @IsIn(PAYMENT_KINDS)
  kind?: (typeof PAYMENT_KINDS)[number];
}

export class MarkDeliveredBody {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  proof_url?: string;
}

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
