/** Money parsed from a body field that must be greater than 0 (a 422 on that field otherwise). */
import { Money } from '@kob/kernel';
import { ApiError } from '../../http/api-error';

export function positiveAmount(
  amount: string,
  currency: string,
  currencies: Parameters<typeof Money.parse>[2],
  field: string,
): Money {
  const money = Money.parse(amount, currency, currencies, field);
  if (!money.isPositive()) {
    throw new ApiError(422, 'VALIDATION_ERROR', `${field} must be greater than 0`, {
      fields: { [field]: ['must be greater than 0'] },
    });
  }
  return money;
}
