/**
 * The queries behind the audit routes: a page of the masked audit_log read model with its
 * filters, and one stream's raw events from the event store with the verdict of its hash chain.
 */
import { type Kysely, sql } from 'kysely';
import {
  type EventStore,
  type Position,
  type RecordedEvent,
  encodePosition,
  verifyChain,
} from '@kob/event-store';
import type { AuditLogTable } from '@kob/projections';
import type { AuditEventView, AuditStreamView, RawEventView } from './audit.dto';

type AuditDb = Kysely<{ audit_log: AuditLogTable }>;

export interface AuditEventFilters {
  stream?: string | undefined;
  type?: string | undefined;
  actorPrefix?: string | undefined;
  after?: Position | null | undefined;
}

/** `LIKE 'prefix%'` with the prefix's own `%`, `_` and `\` taken literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filtered(db: AuditDb, f: AuditEventFilters) {
  let q = db.selectFrom('audit_log');
  if (f.stream !== undefined) q = q.where('stream_id', '=', f.stream);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  if (f.actorPrefix !== undefined) q = q.where('actor_label', 'like', likePrefix(f.actorPrefix));
  if (f.after) {
    const tx = f.after.tx.toString();
    const pos = f.after.pos.toString();
    q = q.where(sql<boolean>`(position_tx, position_pos) > (${tx}::text::xid8, ${pos}::bigint)`);
  }
  return q;
}

export async function listAuditEvents(
  db: Kysely<any>,
  filters: AuditEventFilters,
  page: { limit: number; offset: number },
): Promise<{ items: AuditEventView[]; total: number }> {
  const audit = db as AuditDb;
  const [rows, count] = await Promise.all([
    filtered(audit, filters)
      .select([
        sql<string>`position_tx::text`.as('tx'),
        sql<string>`position_pos::text`.as('pos'),
        'event_id',
        'stream_id',
        sql<string>`revision::text`.as('revision'),
        'type',
        'actor',
        'actor_label',
        'occurred_at',
        'correlation_id',
        'data',
      ])
      .orderBy('position_tx')
      .orderBy('position_pos')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    filtered(audit, filters)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(auditEventView), total: Number(count.n) };
}

/** An audit_log row (position as its two parts in text) as `GET /audit/events` shows it. */
export function auditEventView(r: {
  tx: string;
  pos: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  actor: unknown;
  actor_label: string;
  occurred_at: Date | string;
  correlation_id: string | null;
  data: unknown;
}): AuditEventView {
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

/** Every event of the stream (all pages) and its chain's verdict; null for an unknown stream. */
export async function auditStream(
  store: EventStore,
  streamId: string,
): Promise<AuditStreamView | null> {
  const events = await store.readStream(streamId);
  if (events.length === 0) return null;
  const verdict = verifyChain(events);
  return {
    stream_id: streamId,
    chain_valid: verdict.valid,
    first_bad_revision: verdict.valid ? null : verdict.firstBadRevision.toString(),
    reason: verdict.valid ? null : verdict.reason,
    events: events.map(rawView),
  };
}

export function rawView(e: RecordedEvent): RawEventView {
  return {
    position: encodePosition(e.position),
    event_id: e.id,
    stream_id: e.streamId,
    revision: e.revision.toString(),
    type: e.type,
    data: withoutSecrets(e.data),
    metadata: { ...e.metadata },
    recorded_at: e.recordedAt.toISOString(),
  };
}

/**
 * Raw means raw, PII included, with one exception: a key's HMAC is a credential check value,
 * not information, so it is hidden here too.
 */
function withoutSecrets(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const record = data as Record<string, unknown>;
  return 'keyHash' in record ? { ...record, keyHash: '***' } : data;
}
