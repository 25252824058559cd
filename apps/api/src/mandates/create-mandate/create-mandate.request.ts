/** The body of `POST /mandates` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { AmountField, CurrencyField } from '../../http/dto-fields';

export class CreateMandateBody {
  @ApiProperty({ format: 'uuid', description: 'for a sender key: its own user' })
  @IsUUID()
  sender_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  beneficiary_id!: string;

  @AmountField({ example: '200.00', description: 'decimal string at the currency scale, > 0' })
  total_amount!: string;

  @CurrencyField()
  currency!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  allowed_category_id?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  allowed_merchant_id?: string | null;

  @ApiProperty({
    format: 'date-time',
    description: 'must be in the future (else 422 MANDATE_EXPIRES_IN_PAST)',
  })
  @IsISO8601({ strict: true })
  expires_at!: string;
}
