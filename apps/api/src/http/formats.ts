/** How values leave the API: times as ISO-8601 UTC, money as a decimal string at its scale. */
import { Money } from '@kob/kernel';

export const iso = (d: Date | string): string => new Date(d).toISOString();

/** A stored amount at its currency's scale (as stored when the scale is not known). */
export function atScale(amount: string, currency: string, scale: number | null): string {
  return scale === null ? String(amount) : Money.of(String(amount), currency, scale).toString();
}
