/** Bodies of the allowed-payee and usage-spend routes (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { payeeLimits } from '@kob/domain';
import { AmountField, OptionalAmountField } from '../http/dto-fields';

export class AllowPayeeBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  escrow_id!: string;

  @ApiProperty({
    minLength: payeeLimits.payeeRefLengthMin,
    maxLength: payeeLimits.payeeRefLengthMax,
  })
  @IsString()
  @MinLength(payeeLimits.payeeRefLengthMin)
  @MaxLength(payeeLimits.payeeRefLengthMax)
  payee_ref!: string;

  @ApiProperty({ minLength: payeeLimits.labelLengthMin, maxLength: payeeLimits.labelLengthMax })
  @IsString()
  @MinLength(payeeLimits.labelLengthMin)
  @MaxLength(payeeLimits.labelLengthMax)
  label!: string;

  @OptionalAmountField({
    example: '50.00',
    nullable: true,
    description: 'most per UTC day; absent or null: no daily limit',
  })
  daily_limit?: string | null;

  @OptionalAmountField({
    example: '500.00',
    nullable: true,
    description: 'most ever; absent or null: no total limit',
  })
  total_limit?: string | null;
}

export class SpendBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  escrow_id!: string;

  @ApiProperty({ maxLength: payeeLimits.payeeRefLengthMax })
  @IsString()
  @MinLength(1)
  @MaxLength(payeeLimits.payeeRefLengthMax)
  payee_ref!: string;

  @AmountField({ example: '12.50' })
  amount!: string;

  @ApiPropertyOptional({ maxLength: payeeLimits.noteLengthMax, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(payeeLimits.noteLengthMax)
  note?: string | null;
}
