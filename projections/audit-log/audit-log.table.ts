/**
 * The audit_log read model: one row per event of `$all`, with its position, stream, revision,
 * type, actor and times, and its data already masked (audit-mask.ts). `GET /audit/events` reads
 * it; nothing decides anything from it.
 */
import type { Insertable, Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface AuditLogTable {
  event_id: string;
  /** The writer's transaction id (xid8), as text: pg has no JS type for it. */
  position_tx: string;
  /** bigint, as a string (pg's default; exact beyond 2^53). */
  position_pos: string;
  stream_id: string;
  revision: string;
  type: string;
  actor: unknown;
  /** `keyPrefix` of an API key, `legacy`, or the system actor's name: the `actor_prefix` filter. */
  actor_label: string;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
  correlation_id: string | null;
  data: unknown;
}

export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogRow = Insertable<AuditLogTable>;
