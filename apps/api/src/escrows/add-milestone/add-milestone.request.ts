/** The body of `POST /escrows/{id}/milestones` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { Transform } from 'class-transformer';
import {
  AmountField,
  CurrencyField,
  MoneyKeysAreStrings,
  OptionalOrNull,
} from '../../http/dto-fields';

export const PROOF_KINDS = ['PHOTO', 'PDF', 'INVOICE', 'CONTRACT', 'DOCUMENT'] as const;

/** Kinds are matched case-insensitively (FRONTEND-CONTRACT A5): `photo` is PHOTO. */
const upperCased = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.toUpperCase() : value;

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

  @ApiPropertyOptional({
    enum: PROOF_KINDS,
    nullable: true,
    description:
      'case-insensitive; absent or null: a kind-less milestone, which takes photo and document proofs (each judged by its type)',
  })
  @OptionalOrNull()
  @Transform(upperCased)
  @IsIn(PROOF_KINDS)
  proof_kind?: (typeof PROOF_KINDS)[number] | null;

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
