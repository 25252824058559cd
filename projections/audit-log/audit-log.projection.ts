/**
 * The audit trail: one row per event, in `$all` order, for `GET /audit/events` (support,
 * auditors). It keeps who (the actor and a label to filter by), what (stream, revision, type),
 * when (occurredAt from the metadata, recordedAt from the store) and the request's correlation
 * id, and stores the event data only after masking (audit-mask.ts), so the masked route cannot
 * leak what the sanitiser hides. Auditors who need the raw events read the stream itself.
 *
 * Version history: 1, the §4.14 rules plus issue 3's (supplier_name, psp_ref, proof_url, secrets);
 * 6, the last characters a rule keeps are code points, so no row holds half a surrogate pair.
 * A change of the mask rules is a new version: the runner then rebuilds the table from `$all`.
 */
import { sql, type Transaction } from 'kysely';
import type { RecordedEvent } from '@kob/event-store';
import { actorLabel, isActor } from '@kob/kernel';
import type { ReadModels } from '../read-models';
import { arrayLiteral } from '../array-literal';
import { maskAuditData } from './audit-mask';
import type { AuditLogRow, NewAuditLogRow } from './audit-log.table';
import { deferredWrite } from '../deferred-write';
import { preparedMark } from '../prepared-mark';

/** Rows per INSERT (11 parameters whatever the count: the bound keeps statements modest). */
const INSERT_ROWS_MAX = 1000;

/** The label of an event whose metadata holds no valid actor (only a tampered row can). */
export const UNKNOWN_ACTOR_LABEL = 'unknown';

export const auditLogProjection = {
  name: 'audit_log',
  // v2: request hashes masked too. v6: "last N characters" counted in code points (issue 12).
  version: 6,
  tables: ['audit_log'],
  async apply(trx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void> {
    const rows = events.map(auditFields);
    for (let start = 0; start < rows.length; start += INSERT_ROWS_MAX) {
      const chunk = rows.slice(start, start + INSERT_ROWS_MAX);
      const column = (
        k: Exclude<keyof AuditLogRow, 'actor' | 'data' | 'occurred_at' | 'recorded_at'>,
      ) => arrayLiteral(chunk.map((r) => r[k]));
      const times = (k: 'occurred_at' | 'recorded_at') =>
        arrayLiteral(chunk.map((r) => r[k].toISOString()));
      // One array per scalar column (unnest), and the actors and data as one JSON document of
      // [actor, data] pairs, the row's ordinal indexing it: a few parameters however many rows,
      // parsed once, and the JSON encoded once (a jsonb[] array would escape every quote again).
      const documents = JSON.stringify(chunk.map((r) => [r.actor, r.data]));
      await deferredWrite(
        trx,
        sql`${preparedMark}
        WITH d AS MATERIALIZED (SELECT ${documents}::jsonb AS doc)
        INSERT INTO audit_log (event_id, position_tx, position_pos, stream_id, revision, type, actor, actor_label,
                               occurred_at, recorded_at, correlation_id, data)
        SELECT r.event_id, r.position_tx, r.position_pos, r.stream_id, r.revision, r.type,
               d.doc -> (r.n - 1)::int -> 0, r.actor_label, r.occurred_at, r.recorded_at, r.correlation_id,
               d.doc -> (r.n - 1)::int -> 1
        FROM unnest(
          ${column('event_id')}::uuid[], ${column('position_tx')}::text[]::xid8[], ${column('position_pos')}::bigint[],
          ${column('stream_id')}::text[], ${column('revision')}::bigint[], ${column('type')}::text[],
          ${column('actor_label')}::text[], ${times('occurred_at')}::timestamptz[], ${times('recorded_at')}::timestamptz[],
          ${column('correlation_id')}::text[]
        ) WITH ORDINALITY AS r(event_id, position_tx, position_pos, stream_id, revision, type, actor_label,
                               occurred_at, recorded_at, correlation_id, n), d
        -- The runner never re-applies a committed batch; this makes a replay a no-op anyway
        -- (STYLE.md §7) instead of a halted projector.
        ON CONFLICT (event_id) DO NOTHING`,
      );
    }
  },
};

/** The label of an event's actor (the `actor_prefix` filter), `unknown` when it holds none. */
export function auditActorLabel(actor: unknown): string {
  return isActor(actor) ? actorLabel(actor) : UNKNOWN_ACTOR_LABEL;
}

/**
 * What the audit trail keeps of an event, its data masked: the `audit_log` row as it reads back
 * (actor and data as values), which the projector stores and `auditEntryOfEvent` shows.
 */
export function auditFields(e: RecordedEvent): AuditLogRow {
  const { actor, occurredAt, correlationId } = e.metadata;
  // The store refuses events without an actor; an audit trail must still show a row whose
  // metadata was edited behind its back (verify names it), rather than halt on it.
  const occurred = typeof occurredAt === 'string' ? new Date(occurredAt) : null;
  return {
    event_id: e.id,
    position_tx: e.position.tx.toString(),
    position_pos: e.position.pos.toString(),
    stream_id: e.streamId,
    revision: e.revision.toString(),
    type: e.type,
    actor: actor ?? null,
    actor_label: auditActorLabel(actor),
    occurred_at: occurred && !Number.isNaN(occurred.getTime()) ? occurred : e.recordedAt,
    recorded_at: e.recordedAt,
    correlation_id: typeof correlationId === 'string' ? correlationId : null,
    data: maskAuditData(e.data),
  };
}

export function auditRow(e: RecordedEvent): NewAuditLogRow {
  const fields = auditFields(e);
  return { ...fields, actor: json(fields.actor), data: json(fields.data) };
}

/** A jsonb value as its JSON text (the insert casts the column's array to jsonb[]). */
function json(value: unknown): string {
  return JSON.stringify(value);
}
