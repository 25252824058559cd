/**
 * The projection runner: each projector consumes `$all` in commit-safe order and writes its read
 * models; the read-model writes and the checkpoint advance commit in one transaction, so a crash
 * never loses or doubles an effect. Batches span many commands' events.
 *
 * Each batch transaction first locks the projector's checkpoint row and checks it is still where
 * this runner left it: two runners of one projector (two API replicas in inline mode, a worker
 * taking over, a CLI) are serialised there and the late one reloads instead of applying the batch
 * twice. Every path takes that row lock before touching the read-model tables, rebuild included,
 * so they cannot deadlock. Worker mode adds an advisory lock so only one runner is active.
 *
 * A projector whose own code throws on an event (a constraint its writes violate, a value it
 * cannot store) parks that event and goes on: the batch is applied again without it (found by
 * bisection, each try in a savepoint), the event is recorded in `projection_parked_events`, an
 * alert is raised and /health shows it; `replayParked` applies it once the projector is fixed.
 * Nothing a client sends can then stop a read model. A projector that guards money (the ledger,
 * `guardsMoney`) halts instead, as a broken invariant must: its transaction rolls back, its
 * checkpoint row records why, /health shows it, waiters stop waiting for it. It never clamps.
 * Infrastructure failures (lost connection, server restart, timeouts, deadlocks) are retried with
 * backoff: they say nothing about the events.
 */
import { randomBytes } from 'node:crypto';
import { trace, type Link } from '@opentelemetry/api';
import { sql, type Kysely, type Transaction } from 'kysely';
import { assert, limits, truncateUtf16 } from '@kob/kernel';
import {
  type EventStore,
  type Position,
  type RecordedEvent,
  START,
  comparePositions,
} from '@kob/event-store';
import { parseTraceparent, tracer } from '../observability/tracing';
import { databaseFailure } from '@kob/postgres';

const SPAN_LINKS_MAX = 32;
/** Halvings of a batch while looking for the events a projector cannot apply (2^16 ≥ any batch). */
const PARK_BISECT_DEPTH_MAX = 16;
/** Parked events listed at once (/health counts them all; the CLI pages by projector). */
const PARKED_LIST_MAX = 1_000;
/** Transactions of parked events a runner remembers per projector, for the waits on them. */
const PARKED_TXS_REMEMBERED_MAX = 1_000;
/** Characters of an error kept as the reason of a halt or a parked event. */
const FAILURE_REASON_LENGTH_MAX = 2_000;
const RETRY_DELAY_MIN_MS = 50;
/** Events per batch of a full rebuild (one transaction each; the live batch size is smaller). */
const REBUILD_BATCH_SIZE = 2_000;
/** Transactions a full rebuild applies each batch in at once (projectors split between them). */
const REBUILD_LANES = 2;

export interface Projector {
  readonly name: string;
  readonly version: number;
  /** Tables this projector owns: rebuild recreates them in a fresh schema, then switches. */
  readonly tables: readonly string[];
  /** Applies a batch in the runner's transaction (search_path points at the target schema). */
  apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * True for a projector whose failure means money no longer adds up (the ledger): it halts on an
   * event it cannot apply rather than parking it and going on with a wrong balance.
   */
  readonly guardsMoney?: boolean;
  /**
   * The stream categories (`escrow` for `escrow-{id}`) whose events it reads, when it reads only
   * some: a wait for a command that wrote none of them does not wait for it while it is halted.
   */
  readonly streamCategories?: readonly string[];
}

/** An event a projector could not apply, and why. */
export interface ParkedEvent {
  event: RecordedEvent;
  reason: string;
}

/** A parked event as recorded (`projection_parked_events`). */
export interface ParkedEventRow {
  projector: string;
  eventId: string;
  streamId: string;
  revision: bigint;
  type: string;
  position: Position;
  error: string;
  attempts: number;
  parkedAt: Date;
  replayedAt: Date | null;
}

export interface ProjectorStatus {
  name: string;
  version: number;
  checkpoint: Position;
  status: 'running' | 'halted';
  haltedReason: string | null;
  eventsApplied: bigint;
  /** The last infrastructure error this process is retrying after, if any. */
  retrying: string | null;
  /** Events parked and not replayed yet. */
  parked: number;
}

/**
 * Why listeners hear of a projector: this process `applied` these events; or, with no events
 * (anything may have changed), it `rebuilt` the read model, or found that another runner had
 * `moved` it on (another replica or worker projects into the same database).
 */
export type AppliedCause = 'applied' | 'rebuilt' | 'moved';
export type AppliedListener = (
  projector: string,
  events: readonly RecordedEvent[],
  cause: AppliedCause,
) => void;

export interface RunnerOptions {
  batchSize?: number;
  onBatch?: (projector: string, events: number, ms: number) => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Called when a projector halts (the ledger's halt raises an alert); must be idempotent per place. */
  onHalt?: (projector: string, at: Position, reason: string) => Promise<void> | void;
  /**
   * Called for each event a projector parks, before the parking commits (so a crash in between
   * cannot lose the report; the same event reported again must change nothing).
   */
  onPark?: (projector: string, parked: ParkedEvent) => Promise<void> | void;
}

interface Live {
  checkpoint: Position;
  halted: string | null;
  /** Stored version is newer than this code: another (newer) process runs it. */
  outdated: boolean;
  retryAt: number;
  retryDelayMs: number;
  lastError: string | null;
}

export class ProjectionRunner {
  private readonly live = new Map<string, Live>();
  private readonly paused = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private readonly appliedListeners = new Set<AppliedListener>();
  /** Transactions whose events this process parked, per projector (newest kept, bounded). */
  private readonly parkedTxs = new Map<string, Set<bigint>>();
  private waitsInProgress = 0;
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
    this.batchSize = Math.min(
      options.batchSize ?? limits.projectionBatchSizeMax,
      limits.projectionBatchSizeMax,
    );
    assert(this.batchSize > 0, 'batch size must be positive');
    assert(
      new Set(projectors.map((p) => p.name)).size === projectors.length,
      'projector names are unique',
    );
  }

  /**
   * Creates missing checkpoint rows and loads every checkpoint. A projector whose stored version
   * is older than its code is rebuilt from the start (once, whichever process gets there first);
   * one whose stored version is newer is left to the newer code (a rolling deploy).
   */
  async init(options: { rebuildOutdated?: boolean } = {}): Promise<void> {
    for (const p of this.projectors) {
      await sql`INSERT INTO projection_checkpoints (name, version) VALUES (${p.name}, ${p.version})
                ON CONFLICT (name) DO NOTHING`.execute(this.db);
      const stored = await this.storedVersion(p.name);
      if (stored < p.version && options.rebuildOutdated !== false)
        await this.rebuild(p, undefined, { ifOlder: true });
      await this.reload(p.name);
    }
  }

  private async storedVersion(name: string): Promise<number> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select('version')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.version as number;
  }

  private async reload(name: string): Promise<Live> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select(['checkpoint_tx', 'checkpoint_pos', 'status', 'halted_reason', 'version'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    const projector = this.projectors.find((p) => p.name === name);
    const previous = this.live.get(name);
    const live: Live = {
      checkpoint: { tx: BigInt(row.checkpoint_tx), pos: BigInt(row.checkpoint_pos) },
      halted: row.status === 'halted' ? (row.halted_reason ?? 'halted') : null,
      outdated: projector !== undefined && row.version > projector.version,
      retryAt: previous?.retryAt ?? 0,
      retryDelayMs: previous?.retryDelayMs ?? 0,
      lastError: previous?.lastError ?? null,
    };
    if (live.outdated && !previous?.outdated) {
      this.options.log?.('projector skipped: a newer version owns it', {
        projector: name,
        stored: row.version,
      });
    }
    this.live.set(name, live);
    return live;
  }

  /** Processes one batch for one projector. Returns how many events it applied. */
  async runBatch(projector: Projector): Promise<number> {
    const live = this.live.get(projector.name) ?? (await this.reload(projector.name));
    if (live.halted || live.outdated || this.paused.has(projector.name)) return 0;
    if (Date.now() < live.retryAt) return 0;
    return this.runGroup([{ projector, live }]);
  }

  private recovered(live: Live, applied: number): number {
    if (live.lastError) {
      live.lastError = null;
      live.retryDelayMs = 0;
      live.retryAt = 0;
    }
    return applied;
  }

  private retryLater(projector: Projector, live: Live, err: Error): number {
    live.retryDelayMs = Math.min(
      limits.projectionRetryDelayMaxMs,
      Math.max(RETRY_DELAY_MIN_MS, live.retryDelayMs * 2),
    );
    live.retryAt = Date.now() + live.retryDelayMs;
    live.lastError = `${err.name}: ${err.message}`.slice(0, 500);
    this.options.log?.('projection batch failed, will retry', {
      projector: projector.name,
      error: live.lastError,
      retryInMs: live.retryDelayMs,
    });
    return 0;
  }

  /** Marks the projector halted, only if no other runner has moved it meanwhile. */
  private async halt(projector: Projector, at: Position, err: Error): Promise<void> {
    const reason = failureReason(err);
    // Reported before the halt is recorded, so a crash in between cannot lose the report: the
    // report names the place it halted at (a second report of it is none), and a process that
    // meets the same break after a restart reports it again before halting.
    try {
      await this.options.onHalt?.(projector.name, at, reason);
    } catch (haltErr) {
      this.options.log?.('the halt could not be reported', {
        projector: projector.name,
        error: (haltErr as Error).message,
      });
    }
    const res = await sql`
      UPDATE projection_checkpoints SET status = 'halted', halted_reason = ${reason}, halted_at = now()
      WHERE name = ${projector.name} AND status = 'running'
        AND checkpoint_tx = ${at.tx.toString()}::text::xid8 AND checkpoint_pos = ${at.pos.toString()}`
      .execute(this.db)
      .catch(() => null);
    if (res && Number(res.numAffectedRows ?? 0) === 1) {
      this.options.log?.('projector halted', { projector: projector.name, reason });
    }
    await this.reload(projector.name).catch(() => undefined);
    this.notifyWaiters();
  }

  /**
   * One round over `projectors`: those that stand at the same checkpoint (the usual case) share
   * one read of `$all` and one transaction, so a round costs one commit rather than one per
   * projector; a projector whose code throws is rolled back to a savepoint of its own and parks
   * the event (or halts, if it guards money) alone. A projector at another checkpoint runs its
   * own batch.
   */
  async runRound(projectors: readonly Projector[] = this.projectors): Promise<number> {
    const groups = new Map<string, { projector: Projector; live: Live }[]>();
    for (const projector of projectors) {
      const live = this.live.get(projector.name) ?? (await this.reload(projector.name));
      if (
        live.halted ||
        live.outdated ||
        this.paused.has(projector.name) ||
        Date.now() < live.retryAt
      )
        continue;
      const key = `${live.checkpoint.tx}:${live.checkpoint.pos}`;
      groups.set(key, [...(groups.get(key) ?? []), { projector, live }]);
    }
    let applied = 0;
    for (const group of groups.values()) {
      applied += await this.runGroup(group);
    }
    return applied;
  }

  private async runGroup(group: { projector: Projector; live: Live }[]): Promise<number> {
    const from = group[0]!.live.checkpoint;
    let events: RecordedEvent[];
    try {
      events = await this.store.readAll({ fromPosition: from, maxCount: this.batchSize });
    } catch (err) {
      for (const g of group) this.retryLater(g.projector, g.live, err as Error);
      return 0;
    }
    if (events.length === 0) {
      for (const g of group) this.recovered(g.live, 0);
      return 0;
    }
    return this.applyGroup(group, from, events, false);
  }

  /**
   * Applies one batch to a group in one transaction. First without savepoints (the usual case:
   * nothing throws, and a round costs no statement per projector); if a projector's code throws,
   * that transaction rolls back whole and the batch is applied again with a savepoint per
   * projector (`isolate`), so the failing one is rolled back alone: it then parks the events it
   * cannot apply and applies the rest, or, if it guards money, halts.
   */
  private async applyGroup(
    group: { projector: Projector; live: Live }[],
    from: Position,
    events: RecordedEvent[],
    isolate: boolean,
  ): Promise<number> {
    const started = performance.now();
    const last = events[events.length - 1]!.position;
    const outcomes = new Map<string, 'applied' | 'moved' | Error>();
    const parkedHere: { projector: string; parked: readonly ParkedEvent[] }[] = [];
    const links = batchLinks(events);
    try {
      await this.db.transaction().execute(async (trx) => {
        // One statement locks, checks and advances every checkpoint of the group; a projector
        // another runner has moved is not returned (the late runner of a race waits here).
        const names = group.map((g) => g.projector.name);
        const advanced = await sql<{ name: string }>`
          UPDATE projection_checkpoints
          SET checkpoint_tx = ${last.tx.toString()}::text::xid8, checkpoint_pos = ${last.pos.toString()},
              events_applied = events_applied + ${events.length}, updated_at = now()
          WHERE name = ANY(${names}::text[]) AND status = 'running'
            AND checkpoint_tx = ${from.tx.toString()}::text::xid8 AND checkpoint_pos = ${from.pos.toString()}
          RETURNING name`.execute(trx);
        const mine = new Set(advanced.rows.map((r) => r.name));
        for (const [i, { projector }] of group.entries()) {
          if (!mine.has(projector.name)) {
            outcomes.set(projector.name, 'moved');
            continue;
          }
          const savepoint = sql.raw(`projector_${i}`);
          if (isolate) await sql`SAVEPOINT ${savepoint}`.execute(trx);
          const span = tracer().startSpan(`projection ${projector.name}`, {
            attributes: { 'kobatela.projector': projector.name, 'kobatela.events': events.length },
            links,
          });
          try {
            await projector.apply(trx, events);
            if (isolate) await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
            outcomes.set(projector.name, 'applied');
          } catch (err) {
            span.recordException(err as Error);
            if (!isolate) throw new ProjectorFailed(err as Error);
            await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
            if (!isInfrastructureFailure(err) && !projector.guardsMoney) {
              // The batch again without the events this projector cannot apply: those are parked.
              const parked = await this.bisect(trx, projector, events, 1);
              await this.recordParked(trx, projector.name, parked);
              parkedHere.push({ projector: projector.name, parked });
              outcomes.set(projector.name, 'applied');
              continue;
            }
            // This projector alone: its writes are undone and its checkpoint put back.
            await sql`
              UPDATE projection_checkpoints
              SET checkpoint_tx = ${from.tx.toString()}::text::xid8, checkpoint_pos = ${from.pos.toString()},
                  events_applied = events_applied - ${events.length}
              WHERE name = ${projector.name}`.execute(trx);
            outcomes.set(projector.name, err as Error);
          } finally {
            span.end();
          }
        }
      });
    } catch (err) {
      // A projector threw: nothing was applied; again, isolating each projector.
      if (err instanceof ProjectorFailed && !isInfrastructureFailure(err.cause))
        return this.applyGroup(group, from, events, true);
      // The transaction failed as a whole (a lost connection, the commit): nothing was applied.
      const cause = err instanceof ProjectorFailed ? err.cause : (err as Error);
      for (const g of group) this.retryLater(g.projector, g.live, cause);
      return 0;
    }
    // Committed: waits for these events' commands must not take the moved checkpoint for "applied".
    for (const { projector, parked } of parkedHere)
      this.rememberParked(
        projector,
        parked.map((p) => p.event.position.tx),
      );
    const ms = performance.now() - started;
    let applied = 0;
    for (const { projector, live } of group) {
      const outcome = outcomes.get(projector.name);
      if (outcome === 'applied') {
        live.checkpoint = last;
        this.options.onBatch?.(projector.name, events.length, ms / group.length);
        this.notifyApplied(projector.name, events);
        applied += this.recovered(live, events.length);
      } else if (outcome === 'moved') {
        // Applied by another runner, maybe further than this batch: "anything changed".
        await this.reload(projector.name).catch(() => undefined);
        this.notifyApplied(projector.name, [], 'moved');
      } else if (outcome instanceof Error) {
        if (isInfrastructureFailure(outcome)) this.retryLater(projector, live, outcome);
        else await this.halt(projector, from, outcome);
      }
    }
    this.notifyWaiters();
    return applied;
  }

  /**
   * Applies `events` to `projector`, leaving out (and returning) the ones it cannot apply: each
   * half is tried in a savepoint and a failing half is split again, in event order, down to the
   * single events that fail. Known to fail as a whole when called (the caller has just rolled
   * it back), so it starts by splitting. Infrastructure failures propagate: the round is retried.
   */
  private async bisect(
    trx: Transaction<any>,
    projector: Projector,
    events: readonly RecordedEvent[],
    depth: number,
  ): Promise<ParkedEvent[]> {
    assert(depth <= PARK_BISECT_DEPTH_MAX, 'bisection deeper than the batch size allows');
    if (events.length === 1) {
      // Known to fail alone; once more for its reason (the caller only knows the batch's).
      return this.tryApply(trx, projector, events, depth).then((failure) =>
        failure ? [{ event: events[0]!, reason: failure }] : [],
      );
    }
    const mid = Math.ceil(events.length / 2);
    const parked: ParkedEvent[] = [];
    for (const half of [events.slice(0, mid), events.slice(mid)]) {
      const failure = await this.tryApply(trx, projector, half, depth);
      if (failure === null) continue;
      parked.push(
        ...(half.length === 1
          ? [{ event: half[0]!, reason: failure }]
          : await this.bisect(trx, projector, half, depth + 1)),
      );
    }
    return parked;
  }

  /** Applies `events` in a savepoint: null when they applied, else why they did not (rolled back). */
  private async tryApply(
    trx: Transaction<any>,
    projector: Projector,
    events: readonly RecordedEvent[],
    depth: number,
  ): Promise<string | null> {
    const savepoint = sql.raw(`park_${depth}`);
    await sql`SAVEPOINT ${savepoint}`.execute(trx);
    try {
      await projector.apply(trx, events);
      await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
      return null;
    } catch (err) {
      if (isInfrastructureFailure(err)) throw err;
      await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
      await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
      return failureReason(err);
    }
  }

  /**
   * Applies a batch outside the live loop (a rebuild): a projector that does not guard money
   * parks what it cannot apply; one that does throws, as in the live loop.
   */
  private async applyOrPark(
    trx: Transaction<any>,
    projector: Projector,
    events: readonly RecordedEvent[],
  ): Promise<ParkedEvent[]> {
    if (projector.guardsMoney) {
      await projector.apply(trx, events);
      return [];
    }
    const failure = await this.tryApply(trx, projector, events, 0);
    if (failure === null) return [];
    return events.length === 1
      ? [{ event: events[0]!, reason: failure }]
      : this.bisect(trx, projector, events, 1);
  }

  /**
   * Records parked events in the batch's transaction, after reporting each one (an alert): the
   * report comes first so a crash before the commit cannot lose it, and reporting the same event
   * again raises nothing new. A report that fails is logged; the parking is still recorded.
   */
  private async recordParked(
    trx: Transaction<any>,
    projector: string,
    parked: readonly ParkedEvent[],
  ): Promise<void> {
    for (const p of parked) {
      this.options.log?.('projector parked an event it cannot apply', {
        projector,
        eventId: p.event.id,
        stream: p.event.streamId,
        type: p.event.type,
        reason: p.reason,
      });
      try {
        await this.options.onPark?.(projector, p);
      } catch (err) {
        this.options.log?.('the parked event could not be reported', {
          projector,
          eventId: p.event.id,
          error: (err as Error).message,
        });
      }
      const e = p.event;
      await sql`
        INSERT INTO projection_parked_events (projector, event_id, stream_id, revision, type, position_tx, position_pos, error)
        VALUES (${projector}, ${e.id}, ${e.streamId}, ${e.revision.toString()}, ${e.type},
                ${e.position.tx.toString()}::text::xid8, ${e.position.pos.toString()}, ${p.reason})
        ON CONFLICT (projector, event_id) DO UPDATE
        SET error = EXCLUDED.error, attempts = projection_parked_events.attempts + 1, parked_at = now(), replayed_at = NULL`.execute(
        trx,
      );
    }
  }

  private rememberParked(projector: string, txs: readonly bigint[]): void {
    const set = this.parkedTxs.get(projector) ?? new Set<bigint>();
    for (const tx of txs) set.add(tx);
    // Bounded: the oldest go first (a wait concerns a command just appended).
    for (const tx of set) {
      if (set.size <= PARKED_TXS_REMEMBERED_MAX) break;
      set.delete(tx);
    }
    this.parkedTxs.set(projector, set);
  }

  /**
   * Of `projectors`, those that parked an event of the transaction of `position` (a command's
   * events share it): their read models do not hold that command, though their checkpoints moved
   * past it. This process's own parkings are known in memory; with `strict`, the table is asked
   * too (another replica or a worker may have parked it).
   */
  private async parkedAt(
    position: Position,
    projectors: readonly Projector[],
    strict: boolean,
  ): Promise<string[]> {
    const known = projectors
      .filter((p) => this.parkedTxs.get(p.name)?.has(position.tx))
      .map((p) => p.name);
    if (known.length > 0 || !strict || projectors.length === 0) return known;
    const res = await sql<{ projector: string }>`
      SELECT DISTINCT projector FROM projection_parked_events
      WHERE replayed_at IS NULL AND position_tx = ${position.tx.toString()}::text::xid8
        AND projector = ANY(${projectors.map((p) => p.name)}::text[])`
      .execute(this.db)
      .catch(() => null);
    // Not known (the database is away): not in force, as far as this wait can tell.
    return res ? res.rows.map((r) => r.projector) : projectors.map((p) => p.name);
  }

  /** Parked events (oldest first), of one projector or all; `open` leaves out replayed ones. */
  async parkedEvents(
    options: { projector?: string; open?: boolean; limit?: number } = {},
  ): Promise<ParkedEventRow[]> {
    let q = this.db.selectFrom('projection_parked_events').selectAll();
    if (options.projector) q = q.where('projector', '=', options.projector);
    if (options.open !== false) q = q.where('replayed_at', 'is', null);
    const rows = await q
      .orderBy('position_tx')
      .orderBy('position_pos')
      .orderBy('projector')
      .limit(Math.min(options.limit ?? PARKED_LIST_MAX, PARKED_LIST_MAX))
      .execute();
    return rows.map((r) => ({
      projector: r.projector,
      eventId: r.event_id,
      streamId: r.stream_id,
      revision: BigInt(r.revision),
      type: r.type,
      position: { tx: BigInt(r.position_tx), pos: BigInt(r.position_pos) },
      error: r.error,
      attempts: r.attempts,
      parkedAt: r.parked_at,
      replayedAt: r.replayed_at,
    }));
  }

  /**
   * Applies a projector's parked events again, oldest first (once its code is fixed), each in a
   * transaction of its own that first takes the projector's checkpoint row lock like every batch,
   * so it never interleaves with a live batch. An event that applies is marked replayed; one that
   * still fails stays parked with its new reason and a count of attempts. The event is applied to
   * the read model as it is now: for a projector whose rows depend on event order, rebuilding
   * (`rebuild`) is the complete repair, and it clears the parked list of what then applies.
   */
  async replayParked(
    projector: Projector,
    options: { eventId?: string } = {},
  ): Promise<{ replayed: string[]; failed: ParkedEvent[] }> {
    const rows = (await this.parkedEvents({ projector: projector.name })).filter(
      (r) => !options.eventId || r.eventId === options.eventId,
    );
    const replayed: string[] = [];
    const failed: ParkedEvent[] = [];
    for (const row of rows) {
      const [event] = await this.store.readStream(row.streamId, {
        fromRevision: row.revision,
        maxCount: 1,
      });
      assert(
        event && event.id === row.eventId,
        `parked event ${row.eventId} is not at ${row.streamId}@${row.revision}`,
      );
      const failure = await this.db
        .transaction()
        .execute(async (trx): Promise<string | null | 'gone'> => {
          await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${projector.name} FOR UPDATE`.execute(
            trx,
          );
          // Still parked? Another replay (or a rebuild) may have applied it since it was listed.
          const open = await sql`SELECT 1 FROM projection_parked_events
          WHERE projector = ${projector.name} AND event_id = ${row.eventId} AND replayed_at IS NULL FOR UPDATE`.execute(
            trx,
          );
          if (open.rows.length === 0) return 'gone';
          const reason = await this.tryApply(trx, projector, [event], 0);
          await (
            reason === null
              ? sql`UPDATE projection_parked_events SET replayed_at = now() WHERE projector = ${projector.name} AND event_id = ${row.eventId}`
              : sql`UPDATE projection_parked_events SET error = ${reason}, attempts = attempts + 1
                WHERE projector = ${projector.name} AND event_id = ${row.eventId}`
          ).execute(trx);
          return reason;
        });
      if (failure === 'gone') continue;
      if (failure === null) {
        replayed.push(row.eventId);
        this.notifyApplied(projector.name, [event]);
      } else {
        failed.push({ event, reason: failure });
      }
    }
    this.notifyWaiters();
    return { replayed, failed };
  }

  /**
   * Calls `listener` after this process committed a batch of a projector, with its events, and
   * with none (anything may have changed) after a rebuild or when another runner (a replica)
   * turns out to have applied the batch. For caches of read-model rows
   * (verified API keys) that must not outlive a change the read model has applied.
   */
  onApplied(listener: AppliedListener): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  private notifyApplied(
    projector: string,
    events: readonly RecordedEvent[],
    cause: AppliedCause = 'applied',
  ): void {
    for (const listener of this.appliedListeners) listener(projector, events, cause);
  }

  /**
   * Whether this process is applying `projector`'s batches now (running, not halted, not left to a
   * newer version, not paused for a rebuild): a cache of its rows is only kept fresh by it then.
   */
  runsHere(projector: string): boolean {
    const live = this.live.get(projector);
    return (
      this.running &&
      live !== undefined &&
      !live.halted &&
      !live.outdated &&
      !this.paused.has(projector)
    );
  }

  /** Runs every projector until none has anything left (tests, CLI, inline catch-up). */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 1_000_000; round++) {
      const applied = await this.runRound();
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
        const applied = await this.runRound(this.projectors.filter(shouldRun)).catch(() => 0);
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
   * Waits until every projector this process knows (or only those named in `projectors`: the
   * ones an answer depends on) has passed `position`, bounded by `timeoutMs`. False when the time
   * ran out or one of them is halted (the caller answers `X-Projection-Pending`). When this
   * process does not run the projections (worker mode), it follows the checkpoints the workers
   * commit.
   */
  async waitFor(
    position: Position,
    timeoutMs: number,
    options: { projectors?: readonly string[]; strict?: boolean } = {},
  ): Promise<boolean> {
    const only = options.projectors;
    if (only)
      assert(
        only.every((name) => this.projectors.some((p) => p.name === name)),
        `waitFor names an unknown projector: ${only.join(', ')}`,
      );
    this.waitsInProgress += 1;
    try {
      return await this.waitForPosition(
        position,
        timeoutMs,
        only ? new Set(only) : null,
        options.strict === true,
      );
    } finally {
      this.waitsInProgress -= 1;
    }
  }

  /** How many requests are waiting for the projections right now (read-your-writes). */
  get waiting(): number {
    return this.waitsInProgress;
  }

  private async waitForPosition(
    position: Position,
    timeoutMs: number,
    only: ReadonlySet<string> | null,
    strict: boolean,
  ): Promise<boolean> {
    // Halted projectors that read none of the streams the command at `position` wrote: their read
    // models have nothing of it to show, so they do not hold its answer (found once, and only
    // when one is halted: a halted ledger holds a deposit's answer, not a new user's).
    let unconcerned: ReadonlySet<string> | null = null;
    const counted = () =>
      this.projectors.filter(
        (p) =>
          !this.live.get(p.name)?.outdated &&
          (only === null || only.has(p.name)) &&
          !unconcerned?.has(p.name),
      );
    const reached = () =>
      counted().every((p) => {
        const l = this.live.get(p.name);
        return l !== undefined && !l.halted && comparePositions(l.checkpoint, position) >= 0;
      });
    const halted = () => counted().filter((p) => this.live.get(p.name)?.halted);
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
      // Passed, unless one of them parked this very command: then it is not in its read model.
      if (reached()) return (await this.parkedAt(position, counted(), strict)).length === 0;
      const stopped = halted();
      if (stopped.length > 0 && unconcerned === null) {
        unconcerned = await this.unconcernedBy(position, stopped);
        continue;
      }
      if (stopped.length > 0 || Date.now() >= deadline) return false;
      if (this.running) {
        await this.nextChange(deadline - Date.now());
      } else {
        await new Promise((r) =>
          setTimeout(r, Math.min(limits.projectionPollIntervalMs, deadline - Date.now())),
        );
        for (const p of counted()) await this.reload(p.name).catch(() => undefined);
      }
    }
    return false;
  }

  /**
   * Of `projectors`, those that declare the stream categories they read and read none of the
   * streams written in the transaction of `position` (a command's events share it).
   */
  private async unconcernedBy(
    position: Position,
    projectors: readonly Projector[],
  ): Promise<ReadonlySet<string>> {
    const declaring = projectors.filter((p) => p.streamCategories !== undefined);
    if (declaring.length === 0) return new Set();
    const res = await sql<{ category: string }>`
      SELECT DISTINCT split_part(stream_id, '-', 1) AS category FROM events
      WHERE transaction_id = ${position.tx.toString()}::text::xid8`
      .execute(this.db)
      .catch(() => null);
    // Not known (the database is away): every halted projector holds the answer, as before.
    if (!res) return new Set();
    const written = new Set(res.rows.map((r) => r.category));
    return new Set(
      declaring.filter((p) => !p.streamCategories!.some((c) => written.has(c))).map((p) => p.name),
    );
  }

  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
      this.wake?.();
    });
  }

  private notifyWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  async status(): Promise<ProjectorStatus[]> {
    const [rows, parked] = await Promise.all([
      this.db.selectFrom('projection_checkpoints').selectAll().execute(),
      this.db
        .selectFrom('projection_parked_events')
        .select(['projector', (eb) => eb.fn.countAll<string>().as('n')])
        .where('replayed_at', 'is', null)
        .groupBy('projector')
        .execute(),
    ]);
    const parkedBy = new Map(parked.map((p) => [p.projector as string, Number(p.n)]));
    return rows.map((r) => ({
      parked: parkedBy.get(r.name) ?? 0,
      name: r.name,
      version: r.version,
      checkpoint: { tx: BigInt(r.checkpoint_tx), pos: BigInt(r.checkpoint_pos) },
      status: r.status,
      haltedReason: r.halted_reason,
      eventsApplied: BigInt(r.events_applied),
      retrying: this.live.get(r.name)?.lastError ?? null,
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
   * Rebuilds one projector from the start of `$all` into fresh tables in a scratch schema of
   * its own, then switches them in atomically (catching up on what arrived meanwhile under the
   * checkpoint's row lock) and clears any halt. Only one rebuild of a projector runs at a time
   * across all processes (advisory lock); with `ifOlder`, a rebuild that another process already
   * did is skipped.
   */
  async rebuild(
    projector: Projector,
    onProgress?: (applied: number) => void,
    options: { ifOlder?: boolean } = {},
  ): Promise<number> {
    this.paused.add(projector.name);
    try {
      return await this.db.connection().execute(async (lockConn) => {
        await sql`SELECT pg_advisory_lock(hashtext('kobatela.rebuild'), hashtext(${projector.name}))`.execute(
          lockConn,
        );
        try {
          if (options.ifOlder && (await this.storedVersion(projector.name)) >= projector.version)
            return 0;
          return await this.rebuildLocked(projector, onProgress);
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtext('kobatela.rebuild'), hashtext(${projector.name}))`.execute(
            lockConn,
          );
        }
      });
    } finally {
      this.paused.delete(projector.name);
      await this.reload(projector.name).catch(() => undefined);
      this.notifyApplied(projector.name, [], 'rebuilt');
      this.notifyWaiters();
    }
  }

  /**
   * Rebuilds several projectors in one pass over `$all`: each batch is read once and applied to
   * every projector in one transaction (fresh tables in one scratch schema), then all switch in
   * together under their checkpoints' row locks. The same guarantees as `rebuild` (advisory locks
   * per projector, taken in name order; live runners paused), at one read of history instead of
   * one per projector. Returns the events applied.
   */
  async rebuildAll(
    projectors: readonly Projector[] = this.projectors,
    onProgress?: (applied: number) => void,
    options: { batchSize?: number } = {},
  ): Promise<number> {
    const ordered = [...projectors].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const p of ordered) this.paused.add(p.name);
    try {
      return await this.db.connection().execute(async (lockConn) => {
        for (const p of ordered)
          await sql`SELECT pg_advisory_lock(hashtext('kobatela.rebuild'), hashtext(${p.name}))`.execute(
            lockConn,
          );
        try {
          return await this.rebuildAllLocked(
            ordered,
            onProgress,
            options.batchSize ?? Math.max(this.batchSize, REBUILD_BATCH_SIZE),
          );
        } finally {
          for (const p of ordered)
            await sql`SELECT pg_advisory_unlock(hashtext('kobatela.rebuild'), hashtext(${p.name}))`.execute(
              lockConn,
            );
        }
      });
    } finally {
      for (const p of ordered) {
        this.paused.delete(p.name);
        await this.reload(p.name).catch(() => undefined);
        this.notifyApplied(p.name, [], 'rebuilt');
      }
      this.notifyWaiters();
    }
  }

  /**
   * At a rebuild's switch: the projectors' parked lists become what this rebuild parked (an event
   * parked before that now applies is no longer parked; the rows of replayed events go too, the
   * rebuilt read model holds them).
   */
  private async replaceParked(
    trx: Transaction<any>,
    projectors: readonly Projector[],
    parked: ParkedDuringRebuild,
  ): Promise<void> {
    await sql`DELETE FROM projection_parked_events WHERE projector = ANY(${projectors.map((p) => p.name)}::text[])`.execute(
      trx,
    );
    for (const p of projectors) await this.recordParked(trx, p.name, parked.of(p.name));
  }

  private async rebuildAllLocked(
    projectors: readonly Projector[],
    onProgress: ((applied: number) => void) | undefined,
    batch: number,
  ): Promise<number> {
    const schema = `rebuild_all_${randomBytes(4).toString('hex')}`;
    const tables = projectors.flatMap((p) => p.tables);
    assert(new Set(tables).size === tables.length, 'two projectors own the same table');
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(this.db);
    try {
      for (const t of tables)
        await sql`CREATE TABLE ${sql.id(schema, t)} (LIKE ${sql.id('public', t)} INCLUDING ALL)`.execute(
          this.db,
        );
      let position: Position = START;
      let applied = 0;
      const parked = new ParkedDuringRebuild();
      const applyBatch = async (trx: Transaction<any>, events: readonly RecordedEvent[]) => {
        await sql`SELECT set_config('search_path', ${`${schema},public`}, true)`.execute(trx);
        for (const p of projectors) parked.add(p, await this.applyOrPark(trx, p, events));
        await sql`SELECT set_config('search_path', 'public', true)`.execute(trx);
      };
      const applyLane = async (lane: readonly Projector[], events: readonly RecordedEvent[]) =>
        this.db.transaction().execute(async (trx) => {
          await sql`SELECT set_config('search_path', ${`${schema},public`}, true)`.execute(trx);
          for (const p of lane) parked.add(p, await this.applyOrPark(trx, p, events));
        });
      // Phase 1, outside any lock: the next batch is read while this one is applied, and after
      // the first batch (applied in one lane, timing each projector) the projectors are split
      // into lanes of about equal work, each applying the batch in its own transaction at once,
      // so the database works on one while this process prepares the other.
      let lanes: Projector[][] | null = null;
      let next: Promise<RecordedEvent[]> = this.store.readAll({
        fromPosition: position,
        maxCount: batch,
      });
      for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
        const events = await next;
        if (events.length === 0) break;
        const last = events[events.length - 1]!.position;
        next =
          events.length < batch
            ? Promise.resolve([])
            : this.store.readAll({ fromPosition: last, maxCount: batch });
        next.catch(() => undefined);
        if (lanes === null) {
          const costs = new Map<string, number>();
          await this.db.transaction().execute(async (trx) => {
            await sql`SELECT set_config('search_path', ${`${schema},public`}, true)`.execute(trx);
            for (const p of projectors) {
              const t0 = performance.now();
              parked.add(p, await this.applyOrPark(trx, p, events));
              costs.set(p.name, performance.now() - t0);
            }
          });
          lanes = balancedLanes(projectors, costs, REBUILD_LANES);
        } else {
          await Promise.all(lanes.map((lane) => applyLane(lane, events)));
        }
        position = last;
        applied += events.length;
        onProgress?.(applied);
      }
      await next.catch(() => undefined);
      // Phase 2, under the checkpoints' row locks: the rest, then the switch.
      await this.db.transaction().execute(async (trx) => {
        for (const p of projectors) {
          await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${p.name} FOR UPDATE`.execute(
            trx,
          );
        }
        for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
          const events = await this.store.readAll({ fromPosition: position, maxCount: batch });
          if (events.length === 0) break;
          await applyBatch(trx, events);
          position = events[events.length - 1]!.position;
          applied += events.length;
        }
        for (const t of tables) {
          await sql`DROP TABLE ${sql.id('public', t)}`.execute(trx);
          await sql`ALTER TABLE ${sql.id(schema, t)} SET SCHEMA public`.execute(trx);
        }
        await sql`DROP SCHEMA ${sql.id(schema)}`.execute(trx);
        await this.replaceParked(trx, projectors, parked);
        for (const p of projectors) {
          await sql`UPDATE projection_checkpoints
                    SET checkpoint_tx = ${position.tx.toString()}::text::xid8, checkpoint_pos = ${position.pos.toString()},
                        version = ${p.version}, events_applied = ${applied}, status = 'running',
                        halted_reason = NULL, halted_at = NULL, updated_at = now()
                    WHERE name = ${p.name}`.execute(trx);
        }
      });
      return applied;
    } finally {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`
        .execute(this.db)
        .catch(() => undefined);
    }
  }

  private async rebuildLocked(
    projector: Projector,
    onProgress?: (applied: number) => void,
  ): Promise<number> {
    const base = projector.name
      .replace(/[^a-z0-9_]/gi, '_')
      .toLowerCase()
      .slice(0, 30);
    const schema = `rebuild_${base}_${randomBytes(4).toString('hex')}`;
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(this.db);
    try {
      for (const t of projector.tables) {
        await sql`CREATE TABLE ${sql.id(schema, t)} (LIKE ${sql.id('public', t)} INCLUDING ALL)`.execute(
          this.db,
        );
      }
      let position: Position = START;
      let applied = 0;
      const parked = new ParkedDuringRebuild();
      const applyBatch = async (trx: Transaction<any>, events: readonly RecordedEvent[]) => {
        await sql`SELECT set_config('search_path', ${`${schema},public`}, true)`.execute(trx);
        parked.add(projector, await this.applyOrPark(trx, projector, events));
        await sql`SELECT set_config('search_path', 'public', true)`.execute(trx);
      };
      // Phase 1, outside any lock: the bulk of history, until a short batch says we are close.
      for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
        const events = await this.store.readAll({
          fromPosition: position,
          maxCount: this.batchSize,
        });
        if (events.length === 0) break;
        await this.db.transaction().execute((trx) => applyBatch(trx, events));
        position = events[events.length - 1]!.position;
        applied += events.length;
        onProgress?.(applied);
        if (events.length < this.batchSize) break;
      }
      // Phase 2, under the checkpoint row lock (taken first, as every batch does): the rest, then
      // the switch. Live runners wait on the row and then see the moved checkpoint.
      await this.db.transaction().execute(async (trx) => {
        await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${projector.name} FOR UPDATE`.execute(
          trx,
        );
        for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
          const events = await this.store.readAll({
            fromPosition: position,
            maxCount: this.batchSize,
          });
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
        await this.replaceParked(trx, [projector], parked);
        await sql`UPDATE projection_checkpoints
                  SET checkpoint_tx = ${position.tx.toString()}::text::xid8, checkpoint_pos = ${position.pos.toString()},
                      version = ${projector.version}, events_applied = ${applied}, status = 'running',
                      halted_reason = NULL, halted_at = NULL, updated_at = now()
                  WHERE name = ${projector.name}`.execute(trx);
      });
      return applied;
    } finally {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`
        .execute(this.db)
        .catch(() => undefined);
    }
  }
}

/** Projectors split into `n` lanes of about equal cost (greedy: the costliest first). */
function balancedLanes(
  projectors: readonly Projector[],
  costs: ReadonlyMap<string, number>,
  n: number,
): Projector[][] {
  const lanes = Array.from({ length: n }, () => ({ cost: 0, projectors: [] as Projector[] }));
  const byCost = [...projectors].sort(
    (a, b) => (costs.get(b.name) ?? 0) - (costs.get(a.name) ?? 0),
  );
  for (const p of byCost) {
    const lightest = lanes.reduce((a, b) => (b.cost < a.cost ? b : a));
    lightest.projectors.push(p);
    lightest.cost += costs.get(p.name) ?? 0;
  }
  return lanes.map((l) => l.projectors).filter((l) => l.length > 0);
}

function failureReason(err: unknown): string {
  const e = err as Error;
  // Never half a surrogate pair: the reason goes into an alert's JSON.
  return truncateUtf16(
    `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`,
    FAILURE_REASON_LENGTH_MAX,
  );
}

/** What each projector parked during a rebuild, until the switch records it. */
class ParkedDuringRebuild {
  private readonly byProjector = new Map<string, ParkedEvent[]>();

  add(projector: Projector, parked: readonly ParkedEvent[]): void {
    if (parked.length === 0) return;
    this.byProjector.set(projector.name, [...this.of(projector.name), ...parked]);
  }

  of(projector: string): ParkedEvent[] {
    return this.byProjector.get(projector) ?? [];
  }
}

/** A projector's own failure inside a round without savepoints (the round is redone isolated). */
class ProjectorFailed extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
    this.name = 'ProjectorFailed';
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

/**
 * Failures that say nothing about the events: the database unreachable or going away, or too
 * busy this time (timeouts, deadlocks, serialization failures, exhausted resources). They are
 * retried; any other error (the projector's own assertion, a constraint its writes break) parks
 * the event or, for a projector that guards money, halts it. One classification with the HTTP
 * edge's 503 (`databaseFailure`): Node's EPIPE is a lost connection, not a SQLSTATE.
 */
export function isInfrastructureFailure(err: unknown): boolean {
  return databaseFailure(err) !== null || isSetupFailure(err);
}

/**
 * The database is not set up as the code expects (a missing table or column, a missing grant, a
 * missing schema: SQLSTATE classes 42 and 3F): every event would fail alike, so parking each one
 * would be wrong. Retried (shown in /health as `retrying`) until the migration or grant is there.
 */
function isSetupFailure(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  return e?.syscall === undefined && /^(42|3F)[0-9A-Z]{3}$/.test(code);
}
