/** The body of `POST /spend/purchases` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { AmountField, CurrencyField } from '../../http/dto-fields';

export class CreatePurchaseBody {
  @ApiProperty({ format: 'uuid', description: "the mandate's sender" })
  @IsUUID()
  sender_id!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'defaults to sender_id' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  beneficiary_id?: string | null;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  merchant_id!: string;

  @AmountField({ example: '25.00', description: 'decimal string at the currency scale, > 0' })
  amount!: string;

  @CurrencyField()
  currency!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "if given, must be the merchant's category (else 422 CATEGORY_MISMATCH)",
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  category_id?: string | null;
}
