/**
 * How `export` writes audit entries: JSON Lines (one entry per line, exactly the objects of
 * `GET /audit/events`) or CSV (RFC 4180: a header, fields quoted when they hold a comma, a quote
 * or a line break; actor and data as JSON text in their cells).
 *
 * CSV cells are guarded against spreadsheet formula injection (OWASP "CSV Injection"): a text
 * cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
 * spreadsheet shows it as text instead of evaluating it; RFC 4180 quoting then applies to the
 * guarded text. The rule is by value, not by column, because any text may come from a client:
 * the stream id, type and actor label as much as the correlation id (a client's `X-Request-Id`,
 * which may start with `-`). Every string field is guarded. Not guarded: what the export itself
 * encodes as JSON (actor, data): JSON text starts with `{`, `[`, `"`, a digit or a literal, so a
 * hostile name, note or reference inside event data never opens the cell, and the only JSON
 * that starts with `-` is a number, which no spreadsheet evaluates as a formula. No column holds
 * a bare amount; revisions and positions are digits and tokens the store writes, which never
 * start with a guarded character. JSON Lines is never altered.
 */
import type { AuditEntry } from '@kob/platform';

export type AuditFormat = 'jsonl' | 'csv';
export const auditFormats: readonly AuditFormat[] = ['jsonl', 'csv'];

/** The CSV columns, in order (every field of an entry). */
const CSV_COLUMNS: readonly (keyof AuditEntry)[] = [
  'position',
  'event_id',
  'stream_id',
  'revision',
  'type',
  'actor_label',
  'actor',
  'occurred_at',
  'correlation_id',
  'data',
];

/** What opens a formula (or can hide one) in a spreadsheet cell: OWASP's list. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text a spreadsheet would evaluate, made inert with a leading `'`; any other text as it is. */
export function formulaGuarded(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? formulaGuarded(value)
        : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What comes before the first entry (the CSV header). */
export function formatHeader(format: AuditFormat): string {
  return format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '';
}

/** One entry as a line of the format. */
export function formatEntry(format: AuditFormat, entry: AuditEntry): string {
  if (format === 'jsonl') return `${JSON.stringify(entry)}\n`;
  return `${CSV_COLUMNS.map((c) => csvCell(entry[c])).join(',')}\r\n`;
}
