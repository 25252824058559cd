/**
 * The currencies the service accepts (CURRENCIES), as the handlers that take an amount use them:
 * a handler that parses money declares this, not the whole configuration.
 */
import { type CurrencyScales, Money } from '@kob/kernel';

export class Currencies {
  constructor(readonly scales: CurrencyScales) {}

  /** `amount` in `currency` at its scale; a 422 VALIDATION_ERROR naming `field` otherwise. */
  parse(amount: unknown, currency: string, field = 'amount'): Money {
    return Money.parse(amount, currency, this.scales, field);
  }
}
