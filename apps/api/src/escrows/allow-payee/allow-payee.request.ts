/** The body of `POST /spend/allowed` (validated; unknown fields refused). */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { payeeLimits } from '@kob/domain';
import { OptionalAmountField } from '../../http/dto-fields';

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
