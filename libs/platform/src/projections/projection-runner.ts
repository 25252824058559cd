/**
 * The projection runner: each projector consumes `$all` in commit-safe order and writes its read
 * models; the read-model writes and the checkpoint advance commit in one transaction, so a crash
 * never loses or doubles an effect. Batches span many commands' events.
 *
 * The checkpoint update is a compare-and-set on the previous checkpoint: two runners of the same
 * projector (two API replicas in inline mode, a worker taking over) can never both apply a batch.
 * Worker mode adds a PostgreSQL advisory lock per projector so only one runner is active and the
 * others stand by.
 *
 * A projector that throws (a broken ledger invariant, say) halts: its transaction rolls back, its
 * checkpoint row records why, /health shows it, and waiters stop waiting for it. It never clamps.
 */
import { trace, type Link } from '@opentelemetry/api';
import { sql, type Kysely, type Transaction } from 'kysely';
import { assert, limits } from '../../../kernel/src';
import {
  type EventStore,
  type Position,
  type RecordedEvent,
  START,
  comparePositions,
} from '../../../event-store/src';
import { parseTraceparent, tracer } from '../observability/tracing';

const SPAN_LINKS_MAX = 32;

export interface Projector {
  readonly name: string;
  readonly version: number;
  /** Tables this projector owns: rebuild recreates them in a fresh schema, then switches. */
  readonly tables: readonly string[];
  /** Applies a batch in the runner's transaction (search_path points at the target schema). */
  apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void>;
}

export interface ProjectorStatus {
  name: string;
  version: number;
  checkpoint: Position;
  status: 'running' | 'halted';
  haltedReason: string | null;
  eventsApplied: bigint;
}

export interface RunnerOptions {
  batchSize?: number;
  onBatch?: (projector: string, events: number, ms: number) => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

interface Live {
  checkpoint: Position;
  halted: string | null;
}

export class ProjectionRunner {
  private readonly live = new Map<string, Live>();
  private readonly paused = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly batchSize: number;

  constructor(
    private readonly store: EventStore,
    private readonly db: Kysely<any>,
    readonly projectors: readonly Projector[],
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = Math.min(options.batchSize ?? limits.projectionBatchSizeMax, limits.projectionBatchSizeMax);
    assert(this.batchSize > 0, 'batch size must be positive');
    assert(new Set(projectors.map((p) => p.name)).size === projectors.length, 'projector names are unique');
  }

  /**
   * Creates missing checkpoint rows and loads every checkpoint. A projector whose stored version
   * differs from its code is rebuilt from the start (`rebuildOutdated`), so a new read-model
   * schema never serves half-old data.
   */
  async init(options: { rebuildOutdated?: boolean } = {}): Promise<void> {
    for (const p of this.projectors) {
      await sql`INSERT INTO projection_checkpoints (name, version) VALUES (${p.name}, ${p.version})
                ON CONFLICT (name) DO NOTHING`.execute(this.db);
      const row = await this.db
        .selectFrom('projection_checkpoints')
        .select('version')
        .where('name', '=', p.name)
        .executeTakeFirstOrThrow();
      if (row.version !== p.version && options.rebuildOutdated !== false) await this.rebuild(p);
      await this.reload(p.name);
    }
  }

  private async reload(name: string): Promise<Live> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select(['checkpoint_tx', 'checkpoint_pos', 'status', 'halted_reason'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    const live: Live = {
      checkpoint: { tx: BigInt(row.checkpoint_tx), pos: BigInt(row.checkpoint_pos) },
      halted: row.status === 'halted' ? (row.halted_reason ?? 'halted') : null,
    };
    this.live.set(name, live);
    return live;
  }

  /** Processes one batch for one projector. Returns how many events it applied. */
  async runBatch(projector: Projector): Promise<number> {
    const live = this.live.get(projector.name) ?? (await this.reload(projector.name));
    if (live.halted || this.paused.has(projector.name)) return 0;
    const events = await this.store.readAll({ fromPosition: live.checkpoint, maxCount: this.batchSize });
    if (events.length === 0) return 0;
    const last = events[events.length - 1]!.position;
    const started = performance.now();
    const span = tracer().startSpan(`projection ${projector.name}`, {
      attributes: { 'kobatela.projector': projector.name, 'kobatela.events': events.length },
      links: batchLinks(events),
    });
    try {
      const advanced = await this.db.transaction().execute(async (trx) => {
        await projector.apply(trx, events);
        const res = await sql`
          UPDATE projection_checkpoints
          SET checkpoint_tx = ${last.tx.toString()}::text::xid8, checkpoint_pos = ${last.pos.toString()},
              events_applied = events_applied + ${events.length}, updated_at = now()
          WHERE name = ${projector.name} AND status = 'running'
            AND checkpoint_tx = ${live.checkpoint.tx.toString()}::text::xid8
            AND checkpoint_pos = ${live.checkpoint.pos.toString()}`.execute(trx);
        if (Number(res.numAffectedRows ?? 0) !== 1) throw new CheckpointMoved();
        return true;
      });
      assert(advanced, 'checkpoint advanced');
    } catch (err) {
      if (err instanceof CheckpointMoved || isTransient(err)) {
        await this.reload(projector.name);
        return 0;
      }
      span.recordException(err as Error);
      await this.halt(projector, err as Error);
      return 0;
    } finally {
      span.end();
    }
    live.checkpoint = last;
    this.options.onBatch?.(projector.name, events.length, performance.now() - started);
    this.notifyWaiters();
    return events.length;
  }

  private async halt(projector: Projector, err: Error): Promise<void> {
    const reason = `${err.name}: ${err.message}`.slice(0, 2000);
    this.options.log?.('projector halted', { projector: projector.name, reason });
    await sql`UPDATE projection_checkpoints SET status = 'halted', halted_reason = ${reason}, halted_at = now()
              WHERE name = ${projector.name}`.execute(this.db);
    const live = this.live.get(projector.name);
    if (live) live.halted = reason;
    this.notifyWaiters();
  }

  /** Runs every projector until none has anything left (tests, CLI, inline catch-up). */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 1_000_000; round++) {
      let applied = 0;
      for (const p of this.projectors) applied += await this.runBatch(p);
      total += applied;
      if (applied === 0) return total;
    }
    return total;
  }

  /** Starts the live loop: woken by in-process appends, polling for other processes' appends. */
  start(shouldRun: (projector: Projector) => boolean = () => true): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onAppended(() => this.wake?.());
    this.loop = (async () => {
      while (this.running) {
        let applied = 0;
        try {
          for (const p of this.projectors) if (shouldRun(p)) applied += await this.runBatch(p);
        } catch (err) {
          this.options.log?.('projection loop error', { error: (err as Error).message });
        }
        if (applied > 0 || !this.running) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, limits.projectionPollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.unsubscribe?.();
    await this.loop;
    this.notifyWaiters();
  }

  /**
   * Waits until every projector has passed `position`, bounded by `timeoutMs`. False when the
   * time ran out or a projector is halted (the caller answers `X-Projection-Pending`).
   */
  async waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    const reached = () =>
      this.projectors.every((p) => {
        const l = this.live.get(p.name);
        return l !== undefined && !l.halted && comparePositions(l.checkpoint, position) >= 0;
      });
    const halted = () => this.projectors.some((p) => this.live.get(p.name)?.halted);
    if (reached()) return true;
    if (halted() || timeoutMs <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const check = () => {
        if (reached()) finish(true);
        else if (halted() || !this.running) finish(false);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      this.waiters.add(check);
      this.wake?.();
    });
  }

  private notifyWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  async status(): Promise<ProjectorStatus[]> {
    const rows = await this.db.selectFrom('projection_checkpoints').selectAll().execute();
    return rows.map((r) => ({
      name: r.name,
      version: r.version,
      checkpoint: { tx: BigInt(r.checkpoint_tx), pos: BigInt(r.checkpoint_pos) },
      status: r.status,
      haltedReason: r.halted_reason,
      eventsApplied: BigInt(r.events_applied),
    }));
  }

  /**
   * Each projector's status with its lag: the age of the oldest event visible to readers that
   * it has not applied yet (0 when caught up). One indexed probe per projector.
   */
  async statusWithLag(): Promise<(ProjectorStatus & { lagMs: number })[]> {
    const out = [];
    for (const s of await this.status()) {
      const next = await sql<{ age_ms: string | null }>`
        SELECT (extract(epoch FROM now() - recorded_at) * 1000)::bigint::text AS age_ms FROM events
        WHERE (transaction_id, position) > (${s.checkpoint.tx.toString()}::text::xid8, ${s.checkpoint.pos.toString()}::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id, position LIMIT 1`.execute(this.db);
      out.push({ ...s, lagMs: Math.max(0, Number(next.rows[0]?.age_ms ?? 0)) });
    }
    return out;
  }

  /**
   * Rebuilds one projector from the start of `$all` into fresh tables in a scratch schema, then
   * switches them in atomically (catching up on what arrived meanwhile under the checkpoint's
   * row lock) and clears any halt.
   */
  async rebuild(projector: Projector, onProgress?: (applied: number) => void): Promise<number> {
    this.paused.add(projector.name);
    try {
      return await this.rebuildPaused(projector, onProgress);
    } finally {
      this.paused.delete(projector.name);
    }
  }

  private async rebuildPaused(projector: Projector, onProgress?: (applied: number) => void): Promise<number> {
    const schema = `rebuild_${projector.name.replace(/[^a-z0-9_]/gi, '_')}`.toLowerCase();
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(this.db);
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(this.db);
    for (const t of projector.tables) {
      await sql`CREATE TABLE ${sql.id(schema, t)} (LIKE ${sql.id('public', t)} INCLUDING ALL)`.execute(this.db);
    }
    let position: Position = START;
    let applied = 0;
    const applyBatch = async (trx: Transaction<any>, events: readonly RecordedEvent[]) => {
      await sql`SELECT set_config('search_path', ${`${schema},public`}, true)`.execute(trx);
      await projector.apply(trx, events);
      await sql`SELECT set_config('search_path', 'public', true)`.execute(trx);
    };
    for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
      const events = await this.store.readAll({ fromPosition: position, maxCount: this.batchSize });
      if (events.length === 0) break;
      await this.db.transaction().execute((trx) => applyBatch(trx, events));
      position = events[events.length - 1]!.position;
      applied += events.length;
      onProgress?.(applied);
    }
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${projector.name} FOR UPDATE`.execute(trx);
      for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
        const events = await this.store.readAll({ fromPosition: position, maxCount: this.batchSize });
        if (events.length === 0) break;
        await applyBatch(trx, events);
        position = events[events.length - 1]!.position;
        applied += events.length;
      }
      for (const t of projector.tables) {
        await sql`DROP TABLE ${sql.id('public', t)}`.execute(trx);
        await sql`ALTER TABLE ${sql.id(schema, t)} SET SCHEMA public`.execute(trx);
      }
      await sql`DROP SCHEMA ${sql.id(schema)}`.execute(trx);
      await sql`UPDATE projection_checkpoints
                SET checkpoint_tx = ${position.tx.toString()}::text::xid8, checkpoint_pos = ${position.pos.toString()},
                    version = ${projector.version}, events_applied = ${applied}, status = 'running',
                    halted_reason = NULL, halted_at = NULL, updated_at = now()
                WHERE name = ${projector.name}`.execute(trx);
    });
    await this.reload(projector.name);
    this.notifyWaiters();
    return applied;
  }
}

/** Links a batch span to the traces of the commands whose events it applies. */
function batchLinks(events: readonly RecordedEvent[]): Link[] {
  if (!trace.getTracerProvider()) return [];
  const links: Link[] = [];
  for (const e of events) {
    const ctx = parseTraceparent(e.metadata.traceparent);
    if (ctx) links.push({ context: ctx });
    if (links.length >= SPAN_LINKS_MAX) break;
  }
  return links;
}

/** Deadlock, serialization failure, lock timeout: retry later, never halt. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '40P01' || code === '40001' || code === '55P03';
}

class CheckpointMoved extends Error {
  constructor() {
    super('another runner advanced this projector');
  }
}
