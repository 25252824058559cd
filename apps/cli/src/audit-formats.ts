/**
 * How `export` writes audit entries: JSON Lines (one entry per line, exactly the objects of
 * `GET /audit/events`) or CSV (RFC 4180: a header, fields quoted when they hold a comma, a quote
 * or a line break; actor and data as JSON text in their cells).
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

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
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
