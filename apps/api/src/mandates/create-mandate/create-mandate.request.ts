/** The body of `POST /mandates` (validated; unknown fields refused). */
import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { AmountField, CurrencyField } from '../../http/dto-fields';
import { NullableUuidField, UuidField } from '../shared/request-fields';

export class CreateMandateBody {
  @UuidField({ description: 'for a sender key: its own user' })
  sender_id!: string;

  @UuidField()
  beneficiary_id!: string;

  @AmountField({ example: '200.00', description: 'decimal string at the currency scale, > 0' })
  total_amount!: string;

  @CurrencyField()
  currency!: string;

  @NullableUuidField()
  allowed_category_id?: string | null;

  @NullableUuidField()
  allowed_merchant_id?: string | null;

  @ApiProperty({
    format: 'date-time',
    description: 'must be in the future (else 422 MANDATE_EXPIRES_IN_PAST)',
  })
  @IsISO8601({ strict: true })
  expires_at!: string;
}
