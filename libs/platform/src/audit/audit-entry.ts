/**
 * One entry of the audit trail as its readers show it: `GET /audit/events` (from the audit_log
 * rows) and `kobatela export` (from `$all`, with the projector's own masking, so an export and
 * the route agree on every value). Revisions are strings; positions are opaque tokens.
 */
import { type RecordedEvent, encodePosition } from '@kob/event-store';
import { auditFields } from '@kob/projections';

export interface AuditEntry {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  actor: unknown;
  actor_label: string;
  occurred_at: string;
  correlation_id: string | null;
  data: unknown;
}

/**
 * An audit_log row as the route selects it: the entry's fields, but the position as its two
 * parts in text and the time as the driver returns it.
 */
export type AuditLogRowText = Omit<AuditEntry, 'position' | 'occurred_at'> & {
  tx: string;
  pos: string;
  occurred_at: Date | string;
};

/** An audit_log row as an entry. */
export function auditEntry(r: AuditLogRowText): AuditEntry {
  return {
    position: encodePosition({ tx: BigInt(r.tx), pos: BigInt(r.pos) }),
    event_id: r.event_id,
    stream_id: r.stream_id,
    revision: r.revision,
    type: r.type,
    actor: r.actor,
    actor_label: r.actor_label,
    occurred_at: new Date(r.occurred_at).toISOString(),
    correlation_id: r.correlation_id,
    data: r.data,
  };
}

/** An event of `$all` as the audit trail shows it once the projector has stored it. */
export function auditEntryOfEvent(e: RecordedEvent): AuditEntry {
  const fields = auditFields(e);
  return auditEntry({ ...fields, tx: fields.position_tx, pos: fields.position_pos });
}
