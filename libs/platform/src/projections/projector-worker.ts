/**
 * Worker mode (apps/projector): one active runner per projector across all processes, through
 * a PostgreSQL session advisory lock per projector held on a dedicated connection; the others
 * stand by and try again every `standbyPollMs`. If the lock connection dies (crash, network),
 * PostgreSQL releases the locks and a standby takes over; the checkpoint compare-and-set makes
 * even an overlapping moment harmless.
 *
 * A graceful stop (`stop`, on SIGTERM/SIGINT) lets the batch in flight commit with its checkpoint,
 * starts no other, and only then releases the locks, so a standby takes over right where this
 * worker's writes end.
 */
import type { Pool, PoolClient } from 'pg';
import { limits } from '@kob/kernel';
import type { ProjectionRunner, ProjectorHead } from './projection-runner';

const LOCK_NAMESPACE = 'kobatela.projector';

export interface WorkerOptions {
  standbyPollMs?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

export class ProjectorWorker<DB> {
  private client: PoolClient | undefined;
  private readonly active = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The claim under way, if any: `stop` waits for it, so no lock is taken after the release. */
  private claiming: Promise<void> | undefined;
  private readonly standbyPollMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly runner: ProjectionRunner<DB>,
    private readonly projectors: readonly ProjectorHead[],
    private readonly options: WorkerOptions = {},
  ) {
    this.standbyPollMs = options.standbyPollMs ?? limits.projectionIdlePollIntervalMs * 4;
  }

  async start(): Promise<void> {
    await this.claim();
    this.runner.start((p) => this.active.has(p.name));
    this.timer = setInterval(() => void this.claim(), this.standbyPollMs);
  }

  activeProjectors(): string[] {
    return [...this.active].sort();
  }

  /** Tries to take the lock of every projector this worker does not run yet. */
  private claim(): Promise<void> {
    // One claim at a time: an overlapping one could replace (and leak) the lock connection,
    // whose locks would then never be released to the standby workers.
    if (this.stopped) return Promise.resolve();
    this.claiming ??= this.claimFree().finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  private async claimFree(): Promise<void> {
    try {
      if (!this.client) {
        this.client = await this.pool.connect();
        this.client.on('error', () => this.lost());
      }
      for (const p of this.projectors) {
        if (this.active.has(p.name) || this.stopped) continue;
        const res = await this.client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked',
          [LOCK_NAMESPACE, p.name],
        );
        if (res.rows[0]?.locked) {
          this.active.add(p.name);
          this.options.log?.('projector active', { projector: p.name });
        }
      }
    } catch (err) {
      this.options.log?.('projector lock connection failed', { error: (err as Error).message });
      this.lost();
    }
  }

  private lost(): void {
    this.active.clear();
    const c = this.client;
    this.client = undefined;
    c?.release(true);
  }

  /**
   * Stops gracefully: takes no more locks, lets the runner's batch in flight commit (with its
   * checkpoint) and start no other, then releases every lock this worker holds and its
   * connection. Resolves when a standby can take over.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.claiming;
      await this.runner.stop();
    } finally {
      await this.release();
    }
  }

  /** Releases the locks (ending the connection instead when that fails: PostgreSQL frees them). */
  private async release(): Promise<void> {
    const c = this.client;
    const held = this.activeProjectors();
    this.client = undefined;
    this.active.clear();
    if (!c) return;
    try {
      await c.query('SELECT pg_advisory_unlock_all()');
      c.release();
      this.options.log?.('projector locks released', { projectors: held });
    } catch (err) {
      c.release(err as Error);
    }
  }
}
