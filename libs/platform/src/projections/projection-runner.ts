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
 * A projector whose own code throws on an event parks that event and goes on (parking.ts;
 * `replayParked` applies it once the projector is fixed). One that guards money (the ledger)
 * halts instead: its transaction rolls back, its checkpoint row records why, /health shows it,
 * waiters stop waiting for it. Infrastructure failures are retried with backoff (failures.ts).
 * Beside this file: apply-batch.ts (one batch, one transaction), checkpoints.ts, rebuild.ts,
 * waiting.ts (read-your-writes), status.ts, projector.ts (the types).
 */
import type { Kysely } from 'kysely';
import type { ReadModels } from '@kob/projections';
import { assert, limits } from '@kob/kernel';
import { type EventStore, type Position, type RecordedEvent } from '@kob/event-store';
import { type PlatformTables, platformTablesOf } from '../platform.tables';
import { applyBatch } from './apply-batch';
import { ProjectorFailed, failureReason, isInfrastructureFailure } from './failures';
import { ParkedTransactions, listParked, replayRows } from './parking';
import type {
  AppliedCause,
  AppliedListener,
  ParkedEvent,
  ParkedEventRow,
  Projector,
  ProjectorStatus,
  RunnerOptions,
} from './projector';
import {
  type Live,
  backOff,
  ensureCheckpoint,
  liveOf,
  loadCheckpointRows,
  loadLive,
  markHalted,
  recovered,
  resting,
  storedVersion,
} from './checkpoints';
import { type RebuildContext, rebuildMany, rebuildOne, withRebuildLocks } from './rebuild';
import { projectorStatuses, withLag, unconcernedBy } from './status';
import { LiveLoop } from './live-loop';
import { CheckpointFollower } from './checkpoint-follower';
import { ChangeSignal, type WaitView, waitForPosition } from './waiting';

export * from './projector';
export { isInfrastructureFailure } from './failures';

/** Events per batch of a full rebuild (one transaction each; the live batch size is smaller). */
const REBUILD_BATCH_SIZE = 2_000;

/** Runs projectors of the read models `DB` (by default the service's); see `applyIn`. */
export class ProjectionRunner<DB = ReadModels> {
  private readonly live = new Map<string, Live>();
  private readonly paused = new Set<string>();
  private readonly changes = new ChangeSignal();
  private readonly appliedListeners = new Set<AppliedListener>();
  /** Transactions whose events this process parked, per projector (newest kept, bounded). */
  private readonly parkedTxs = new ParkedTransactions();
  private waitsInProgress = 0;
  private readonly liveLoop = new LiveLoop();
  /** Where no live loop runs here (worker mode): the checkpoints the workers commit, read for waits. */
  private readonly follower = new CheckpointFollower(
    () => this.reloadAll(),
    limits.projectionFollowIntervalMs,
  );
  /** Batches of the live round in flight that were full (more may be waiting in `$all`). */
  private fullBatches = 0;
  private readonly batchSize: number;
  private readonly db: Kysely<PlatformTables>;
  private readonly rebuilds: RebuildContext;

  constructor(
    private readonly store: EventStore,
    db: Kysely<DB & PlatformTables>,
    readonly projectors: readonly Projector<DB>[],
    private readonly options: RunnerOptions = {},
  ) {
    this.db = platformTablesOf(db);
    this.rebuilds = { db: this.db, store, options };
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
      const stored = await ensureCheckpoint(this.db, p);
      if (stored < p.version && options.rebuildOutdated !== false)
        await this.rebuild(p, undefined, { ifOlder: true });
      await this.reload(p.name);
    }
  }

  private async reload(name: string): Promise<Live> {
    const projector = this.projectors.find((p) => p.name === name);
    const { live, stored } = await loadLive(this.db, name, projector, this.live.get(name));
    return this.keepLive(name, live, stored);
  }

  /** Every projector's checkpoint in one statement: what waits follow where no loop runs. */
  private async reloadAll(): Promise<void> {
    const rows = await loadCheckpointRows(
      this.db,
      this.projectors.map((p) => p.name),
    );
    for (const projector of this.projectors) {
      const row = rows.get(projector.name);
      if (row)
        this.keepLive(
          projector.name,
          liveOf(row, projector, this.live.get(projector.name)),
          row.version,
        );
    }
  }

  private keepLive(name: string, live: Live, stored: number): Live {
    if (live.outdated && !this.live.get(name)?.outdated)
      this.options.log?.('projector skipped: a newer version owns it', { projector: name, stored });
    this.live.set(name, live);
    return live;
  }

  /** Processes one batch for one projector. Returns how many events it applied. */
  async runBatch(projector: Projector<DB>): Promise<number> {
    const live = this.live.get(projector.name) ?? (await this.reload(projector.name));
    if (resting(live) || this.paused.has(projector.name)) return 0;
    return this.runGroup([{ projector, live }]);
  }

  private retryLater(projector: Projector<DB>, live: Live, err: Error): number {
    backOff(live, err);
    this.options.log?.('projection batch failed, will retry', {
      projector: projector.name,
      error: live.lastError,
      retryInMs: live.retryDelayMs,
    });
    return 0;
  }

  /** Marks the projector halted, only if no other runner has moved it meanwhile. */
  private async halt(projector: Projector<DB>, at: Position, err: Error): Promise<void> {
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
    if (await markHalted(this.db, projector.name, at, reason))
      this.options.log?.('projector halted', { projector: projector.name, reason });
    await this.reload(projector.name).catch(() => undefined);
    this.notifyWaiters();
  }

  /**
   * One round over `projectors`: those that stand at the same checkpoint (the usual case) share
   * one read of `$all` and one transaction, so a round costs one commit rather than one per
   * projector; a projector whose code throws is rolled back to a savepoint of its own and parks
   * the event (or halts, if it guards money) alone. A projector at another checkpoint runs its
   * own batch. `goOn` is asked before each group's batch: the live loop stops between batches,
   * never inside one (a graceful stop lets the batch in flight commit and starts no other).
   */
  async runRound(
    projectors: readonly Projector<DB>[] = this.projectors,
    goOn: () => boolean = () => true,
  ): Promise<number> {
    const groups = new Map<string, { projector: Projector<DB>; live: Live }[]>();
    for (const projector of projectors) {
      const live = this.live.get(projector.name) ?? (await this.reload(projector.name));
      if (resting(live) || this.paused.has(projector.name)) continue;
      const key = `${live.checkpoint.tx}:${live.checkpoint.pos}`;
      groups.set(key, [...(groups.get(key) ?? []), { projector, live }]);
    }
    let applied = 0;
    for (const group of groups.values()) {
      if (!goOn()) break;
      applied += await this.runGroup(group);
    }
    return applied;
  }

  private async runGroup(group: { projector: Projector<DB>; live: Live }[]): Promise<number> {
    const from = group[0]!.live.checkpoint;
    let events: RecordedEvent[];
    try {
      events = await this.store.readAll({ fromPosition: from, maxCount: this.batchSize });
    } catch (err) {
      for (const g of group) this.retryLater(g.projector, g.live, err as Error);
      return 0;
    }
    if (events.length === 0) {
      for (const g of group) recovered(g.live, 0);
      return 0;
    }
    if (events.length >= this.batchSize) this.fullBatches++;
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
    group: { projector: Projector<DB>; live: Live }[],
    from: Position,
    events: RecordedEvent[],
    isolate: boolean,
  ): Promise<number> {
    const started = performance.now();
    const projectors = group.map((g) => g.projector);
    let result;
    try {
      result = await applyBatch(this.db, this.options, projectors, from, events, isolate);
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
    this.parkedTxs.rememberAll(result.parked);
    // The round's shared part (the checkpoints' update, the commit), shared out evenly; each
    // projector's own part as it took (so the metric tells a costly projector from a cheap one).
    const own = [...result.ms.values()].reduce((a, b) => a + b, 0);
    const shared = Math.max(0, performance.now() - started - own) / group.length;
    let applied = 0;
    for (const { projector, live } of group) {
      const outcome = result.outcomes.get(projector.name);
      if (outcome === 'applied') {
        live.checkpoint = events[events.length - 1]!.position;
        const ms = shared + (result.ms.get(projector.name) ?? 0);
        this.options.onBatch?.(projector.name, events.length, ms);
        this.notifyApplied(projector.name, events);
        applied += recovered(live, events.length);
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

  /** Parked events (oldest first), of one projector or all; `open` leaves out replayed ones. */
  async parkedEvents(
    options: { projector?: string; open?: boolean; limit?: number } = {},
  ): Promise<ParkedEventRow[]> {
    return listParked(this.db, options);
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
    projector: Projector<DB>,
    options: { eventId?: string } = {},
  ): Promise<{ replayed: string[]; failed: ParkedEvent[] }> {
    const rows = (await this.parkedEvents({ projector: projector.name })).filter(
      (r) => !options.eventId || r.eventId === options.eventId,
    );
    const result = await replayRows(this.db, this.store, projector, rows, (event) =>
      this.notifyApplied(projector.name, [event]),
    );
    this.notifyWaiters();
    return result;
  }

  /**
   * Calls `listener` after this process committed a batch of a projector, with its events, and
   * with none (anything may have changed) after a rebuild or when another runner (a replica)
   * turns out to have applied the batch. For caches of read-model rows (verified API keys).
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
    if (!this.liveLoop.running || live === undefined || this.paused.has(projector)) return false;
    return !live.halted && !live.outdated;
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
  start(shouldRun: (projector: Projector<DB>) => boolean = () => true): void {
    this.liveLoop.start(this.store, async (goOn) => {
      this.fullBatches = 0;
      const applied = await this.runRound(this.projectors.filter(shouldRun), goOn);
      return { applied, full: this.fullBatches > 0 };
    });
  }

  /**
   * Stops the live loop: the batch in flight (if any) is applied and committed with its
   * checkpoint, no other batch starts, and this resolves once the loop has ended.
   */
  async stop(): Promise<void> {
    await this.liveLoop.stop();
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
    this.waitsInProgress += 1;
    try {
      const view = this.waitView(options.strict === true);
      return await waitForPosition(view, position, timeoutMs, options.projectors);
    } finally {
      this.waitsInProgress -= 1;
    }
  }

  /** How many requests are waiting for the projections right now (read-your-writes). */
  get waiting(): number {
    return this.waitsInProgress;
  }

  private waitView(strict: boolean): WaitView {
    return {
      projectors: this.projectors,
      live: (name) => this.live.get(name),
      running: () => this.liveLoop.running,
      nextChange: (ms) => this.changes.next(ms, this.liveLoop.wake),
      follow: (ms) => this.follower.next(ms),
      parkedAt: (position, projectors) =>
        this.parkedTxs.parkedAt(this.db, position, projectors, strict),
      unconcernedBy: (position, projectors) => unconcernedBy(this.store, position, projectors),
    };
  }

  private notifyWaiters(): void {
    this.changes.notify();
  }

  async status(): Promise<ProjectorStatus[]> {
    return projectorStatuses(this.db, (name) => this.live.get(name)?.lastError ?? null);
  }

  /**
   * Each projector's status with its lag: the age of the oldest event visible to readers that
   * it has not applied yet (0 when caught up). One indexed probe per projector.
   */
  async statusWithLag(): Promise<(ProjectorStatus & { lagMs: number })[]> {
    return withLag(this.store, await this.status());
  }

  /**
   * Rebuilds one projector from the start of `$all` into fresh tables in a scratch schema of
   * its own, then switches them in atomically (catching up on what arrived meanwhile under the
   * checkpoint's row lock) and clears any halt. Only one rebuild of a projector runs at a time
   * across all processes (advisory lock); with `ifOlder`, a rebuild that another process already
   * did is skipped.
   */
  async rebuild(
    projector: Projector<DB>,
    onProgress?: (applied: number) => void,
    options: { ifOlder?: boolean } = {},
  ): Promise<number> {
    return this.whilePaused([projector], () =>
      withRebuildLocks(this.db, [projector.name], async (locks) => {
        if (options.ifOlder && (await storedVersion(this.db, projector.name)) >= projector.version)
          return 0;
        return rebuildOne(this.rebuilds, locks, projector, this.batchSize, onProgress);
      }),
    );
  }

  /**
   * Rebuilds several projectors in one pass over `$all`: each batch is read once and applied to
   * every projector in one transaction (fresh tables in one scratch schema), then all switch in
   * together under their checkpoints' row locks. The same guarantees as `rebuild` (advisory locks
   * per projector, taken in name order; live runners paused), at one read of history instead of
   * one per projector. Returns the events applied.
   */
  async rebuildAll(
    projectors: readonly Projector<DB>[] = this.projectors,
    onProgress?: (applied: number) => void,
    options: { batchSize?: number } = {},
  ): Promise<number> {
    const ordered = [...projectors].sort((a, b) => (a.name < b.name ? -1 : 1));
    const batch = options.batchSize ?? Math.max(this.batchSize, REBUILD_BATCH_SIZE);
    return this.whilePaused(ordered, () =>
      withRebuildLocks(
        this.db,
        ordered.map((p) => p.name),
        (locks) => rebuildMany(this.rebuilds, locks, ordered, batch, onProgress),
      ),
    );
  }

  /** Runs a rebuild with the live loop leaving `projectors` alone; then reloads and tells. */
  private async whilePaused(
    projectors: readonly Projector<DB>[],
    fn: () => Promise<number>,
  ): Promise<number> {
    for (const p of projectors) this.paused.add(p.name);
    try {
      return await fn();
    } finally {
      for (const p of projectors) {
        this.paused.delete(p.name);
        await this.reload(p.name).catch(() => undefined);
        this.notifyApplied(p.name, [], 'rebuilt');
      }
      this.notifyWaiters();
    }
  }
}
