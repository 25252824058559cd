/**
 * What the fault suites read from the database itself, never from a read model the service
 * could get wrong: the events appended since the last look (by global position; the suites run
 * with the scheduler off, so every event comes from a request they sent), the projectors halted
 * since the last look with the event each stopped at (its `correlationId` is the request id of
 * the request that caused it), and events parked by a projector that skips what it cannot
 * apply (`projection_parked_events`, `/health`'s `parked_events`, and any `/health` field named
 * for parking).
 */
import { sql } from 'kysely';
import type { Platform } from '@kob/platform';

export interface StoredEvent {
  position: string;
  streamId: string;
  type: string;
  requestId: string | null;
}

export interface Halt {
  projector: string;
  reason: string;
  /**
   * The events after the halted projector's checkpoint, oldest first: its last batch, of which
   * one could not be applied (a batch is applied whole or not at all). Usually one request's.
   */
  events: StoredEvent[];
}

/** Events after a halted checkpoint that are listed as the possible cause. */
const HALT_CANDIDATES_MAX = 20;

/** A refused request may record one alert and nothing else (API-RULES.md §6). */
export function onlyAnAlert(events: StoredEvent[]): boolean {
  if (events.length === 0) return true;
  const [only] = events;
  const alert = only!.type === 'alert.raised.v1' && only!.streamId.startsWith('alert-');
  return events.length === 1 && alert;
}

interface EventRow {
  position: string;
  stream_id: string;
  type: string;
  request_id: string | null;
}

const storedEvent = (r: EventRow): StoredEvent => ({
  position: r.position,
  streamId: r.stream_id,
  type: r.type,
  requestId: r.request_id,
});

/** `/health` fields named for parked or skipped events. */
const PARKING_WORDS = /park|poison|skipped|dead_?letter/i;
/** `/health` is a small document; a bound on the walk. */
const HEALTH_DEPTH_MAX = 8;

export class StoreWatch {
  private position = '0';
  private readonly halted = new Set<string>();

  constructor(private readonly platform: Pick<Platform, 'db'>) {}

  /** Starts watching from the current head (and the halts already known). */
  async start(): Promise<void> {
    const max = sql<{ p: string | null }>`SELECT max(position)::text AS p FROM events`;
    const head = await max.execute(this.platform.db);
    this.position = head.rows[0]?.p ?? '0';
    for (const h of await this.haltedNow()) this.halted.add(h.name);
  }

  /** Events appended since the last call. */
  async newEvents(): Promise<StoredEvent[]> {
    const res = await sql<EventRow>`
      SELECT position::text AS position, stream_id, type, metadata->>'correlationId' AS request_id
      FROM events WHERE position > ${this.position}::bigint
      ORDER BY position`.execute(this.platform.db);
    const events = res.rows.map(storedEvent);
    if (events.length > 0) this.position = events[events.length - 1]!.position;
    return events;
  }

  /** Projectors halted since the last call, each with the event it stopped at. */
  async newHalts(): Promise<Halt[]> {
    const found: Halt[] = [];
    for (const h of await this.haltedNow()) {
      if (this.halted.has(h.name)) continue;
      this.halted.add(h.name);
      // `$all` order is (transaction id, position): what follows the checkpoint.
      const next = await sql<EventRow>`
        SELECT position::text AS position, stream_id, type, metadata->>'correlationId' AS request_id
        FROM events WHERE (transaction_id, position) > (${h.tx}::xid8, ${h.pos}::bigint)
        ORDER BY transaction_id, position LIMIT ${HALT_CANDIDATES_MAX}`.execute(this.platform.db);
      const events = next.rows.map(storedEvent);
      found.push({ projector: h.name, reason: h.reason ?? 'halted', events });
    }
    return found;
  }

  /** Every projector halted now. */
  async haltedNow(): Promise<{ name: string; reason: string | null; tx: string; pos: string }[]> {
    const res = await sql<{ name: string; halted_reason: string | null; tx: string; pos: string }>`
      SELECT name, halted_reason, checkpoint_tx::text AS tx, checkpoint_pos::text AS pos
      FROM projection_checkpoints WHERE status = 'halted' ORDER BY name`.execute(this.platform.db);
    return res.rows.map((r) => ({ name: r.name, reason: r.halted_reason, tx: r.tx, pos: r.pos }));
  }

  /** Events a projector parked (could not apply) and nobody replayed: none is allowed here. */
  async parkedRows(): Promise<{ table: string; rows: number }[]> {
    const res = await sql<{ projector: string; n: string }>`
      SELECT projector, count(*)::text AS n FROM projection_parked_events
      WHERE replayed_at IS NULL GROUP BY projector ORDER BY projector`.execute(this.platform.db);
    return res.rows.map((r) => ({
      table: `projection_parked_events (${r.projector})`,
      rows: Number(r.n),
    }));
  }
}

/** A count above zero, a non-empty list, or digits above zero: something is there. */
function howMany(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return Array.isArray(v) ? v.length : 0;
}

/**
 * What `/health` says is halted or parked: `halted_projectors`, and any field named for parking
 * (a count above zero or a non-empty list), wherever it sits in the document.
 */
export function healthProblems(health: unknown): string[] {
  const problems: string[] = [];
  const doc = health as {
    halted_projectors?: string[];
    parked_events?: { total?: number; by_projector?: Record<string, number> };
  };
  for (const name of doc.halted_projectors ?? []) {
    problems.push(`/health: projector ${name} halted`);
  }
  if ((doc.parked_events?.total ?? 0) > 0) {
    problems.push(`/health: parked_events = ${JSON.stringify(doc.parked_events)}`);
  }
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > HEALTH_DEPTH_MAX || v === null || typeof v !== 'object') return;
    for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
      const here = path ? `${path}.${k}` : k;
      if (PARKING_WORDS.test(k) && howMany(inner) > 0) {
        problems.push(`/health: ${here} = ${JSON.stringify(inner).slice(0, 200)}`);
      }
      walk(inner, here, depth + 1);
    }
  };
  walk(health, '', 0);
  return problems;
}
