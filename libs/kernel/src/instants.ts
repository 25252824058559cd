/**
 * Instants the API accepts: ISO 8601 `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with a zone (`Z` or
 * `±HH:MM`), on the calendar (no `2026-02-30`), and within years 0001–9999 once in UTC (so every
 * store and read model can hold it; `9999-12-31T23:59:59-14:00` is year 10000 in UTC). Forms
 * `Date` reads loosely (week dates, basic format, expanded years) are refused rather than
 * guessed.
 */
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const NAIVE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const UTC_YEAR_MAX = 9999;

/** Milliseconds since the epoch, or NaN when `value` is not an instant the API accepts. */
export function parseInstant(value: string): number {
  const m = INSTANT_RE.exec(value);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    return Number.NaN;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return Number.NaN;
  const utcYear = new Date(ms).getUTCFullYear();
  return utcYear >= 1 && utcYear <= UTC_YEAR_MAX ? ms : Number.NaN;
}

/** As `parseInstant`, reading a time without a zone as UTC (the old service's rule for mandates). */
export function parseInstantNaiveUtc(value: string): number {
  return parseInstant(NAIVE_RE.test(value) ? `${value}Z` : value);
}
