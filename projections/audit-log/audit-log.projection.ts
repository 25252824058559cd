/**
 * The audit trail: one row per event, in `$all` order, for `GET /audit/events` (support,
 * auditors). It keeps who (the actor and a label to filter by), what (stream, revision, type),
 * when (occurredAt from the metadata, recordedAt from the store) and the request's correlation
 * id, and stores the event data only after masking (audit-mask.ts), so the masked route cannot
 * leak what the sanitiser hides. Auditors who need the raw events read the stream itself.
 *
 * Version history: 1, the §4.14 rules plus issue 3's (supplier_name, psp_ref, proof_url, secrets).
 * A change of the mask rules is a new version: the runner then rebuilds the table from `$all`.
 */
import { sql, type Transaction } from 'kysely';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';
import { actorLabel, isActor } from '../../libs/kernel/src/actor';
import { maskAuditData } from './audit-mask';
import type { NewAuditLogRow } from './audit-log.table';

/** Rows per INSERT: 12 parameters each stays far below PostgreSQL's 65535 per statement. */
const INSERT_ROWS_MAX = 1000;

/** The label of an event whose metadata holds no valid actor (only a tampered row can). */
export const UNKNOWN_ACTOR_LABEL = 'unknown';

export const auditLogProjection = {
  name: 'audit_log',
  // v2: request hashes masked too.
  version: 5,
  tables: ['audit_log'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    const rows = events.map(auditRow);
    for (let start = 0; start < rows.length; start += INSERT_ROWS_MAX) {
      await trx
        .insertInto('audit_log')
        .values(rows.slice(start, start + INSERT_ROWS_MAX))
        // The runner never re-applies a committed batch; this makes a replay a no-op anyway
        // (STYLE.md §7) instead of a halted projector.
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
  },
};

export function auditRow(e: RecordedEvent): NewAuditLogRow {
  const { actor, occurredAt, correlationId } = e.metadata;
  // The store refuses events without an actor; an audit trail must still show a row whose
  // metadata was edited behind its back (verify names it), rather than halt on it.
  const label = isActor(actor) ? actorLabel(actor) : UNKNOWN_ACTOR_LABEL;
  const occurred = typeof occurredAt === 'string' ? new Date(occurredAt) : null;
  return {
    event_id: e.id,
    position_tx: e.position.tx.toString(),
    position_pos: e.position.pos.toString(),
    stream_id: e.streamId,
    revision: e.revision.toString(),
    type: e.type,
    actor: json(actor ?? null),
    actor_label: label,
    occurred_at: occurred && !Number.isNaN(occurred.getTime()) ? occurred : e.recordedAt,
    recorded_at: e.recordedAt,
    correlation_id: typeof correlationId === 'string' ? correlationId : null,
    data: json(maskAuditData(e.data)),
  };
}

/**
 * A jsonb parameter. pg would send a JS array as a PostgreSQL array and a string as text, so
 * the value is serialised here and cast.
 */
function json(value: unknown) {
  return sql`${JSON.stringify(value)}::jsonb`;
}
