/** The body of `POST /spend/purchases` (validated; unknown fields refused). */
import { AmountField, CurrencyField } from '../../http/dto-fields';
import { NullableUuidField, UuidField } from '../../mandates/shared/request-fields';

export class CreatePurchaseBody {
  @UuidField({ description: "the mandate's sender" })
  sender_id!: string;

  @NullableUuidField({ description: 'defaults to sender_id' })
  beneficiary_id?: string | null;

  @UuidField()
  merchant_id!: string;

  @AmountField({ example: '25.00', description: 'decimal string at the currency scale, > 0' })
  amount!: string;

  @CurrencyField()
  currency!: string;

  @NullableUuidField({
    description: "if given, must be the merchant's category (else 422 CATEGORY_MISMATCH)",
  })
  category_id?: string | null;
}
