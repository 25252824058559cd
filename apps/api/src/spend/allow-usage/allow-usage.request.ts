/** The body of `POST /spend/allow` (validated; unknown fields refused). */
import { NullableUuidField, UuidField } from '../../mandates/shared/request-fields';

/** Exactly one of `merchant_id` / `category_id` (checked by the decider: 422 otherwise). */
export class AllowUsageBody {
  @UuidField({ description: 'The user allowed (a mandate beneficiary)' })
  owner_id!: string;

  @NullableUuidField()
  merchant_id?: string | null;

  @NullableUuidField()
  category_id?: string | null;
}
