/**
 * The scheduler runner: periodic jobs (payment recovery, escrow deadlines, mandate expiry…) run
 * in exactly one process at a time. Leadership is a PostgreSQL session advisory lock held on a
 * dedicated connection: if the leader dies, its connection closes, the lock is released and a
 * standby takes over at its next attempt. Jobs act through the command pipeline with a system
 * actor, so a job that overlaps a takeover is still safe (expected revisions decide).
 *
 * Each job reports an outcome; this process's view of leadership and of every job's last run is
 * what `/health` shows.
 */
import type { Pool, PoolClient } from 'pg';
import { limits } from '@kob/kernel';

export interface JobContext {
  now: Date;
}

export interface ScheduledJob {
  readonly name: string;
  readonly intervalMs: number;
  /** Does one round of work and says what it did (e.g. "recovered 2 payments"). */
  run(ctx: JobContext): Promise<string>;
}

export interface JobStatus {
  name: string;
  interval_ms: number;
  last_run_at: string | null;
  last_outcome: string | null;
  last_error: string | null;
  runs: number;
}

export interface SchedulerStatus {
  enabled: boolean;
  /** Whether this process holds the scheduler lock and runs the jobs. */
  running_here: boolean;
  jobs: JobStatus[];
}

interface JobState {
  job: ScheduledJob;
  nextAt: number;
  status: JobStatus;
}

/** A job as registered: due at once, never run yet. */
function neverRun(job: ScheduledJob): JobState {
  return {
    job,
    nextAt: 0,
    status: {
      name: job.name,
      interval_ms: job.intervalMs,
      last_run_at: null,
      last_outcome: null,
      last_error: null,
      runs: 0,
    },
  };
}

const LOCK_NAMESPACE = 'kobatela';
const LOCK_NAME = 'scheduler';

export class Scheduler {
  private client: PoolClient | undefined;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private readonly jobs: JobState[];

  constructor(
    private readonly pool: Pool,
    jobs: readonly ScheduledJob[],
    private readonly options: {
      enabled: boolean;
      tickMs?: number;
      log?: (msg: string, extra?: Record<string, unknown>) => void;
      onLeadership?: (leader: boolean) => void;
    },
  ) {
    this.jobs = jobs.map(neverRun);
  }

  /** Adds a job; jobs are registered before `start`. */
  register(job: ScheduledJob): void {
    if (this.timer) throw new Error(`scheduler already started: cannot add ${job.name}`);
    this.jobs.push(neverRun(job));
  }

  start(): void {
    if (!this.options.enabled || this.timer) return;
    const tick = () => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (!this.stopped)
          this.timer = setTimeout(tick, this.options.tickMs ?? limits.schedulerTickMs);
      });
    };
    tick();
  }

  status(): SchedulerStatus {
    return {
      enabled: this.options.enabled,
      running_here: this.leader,
      jobs: this.jobs.map((j) => ({ ...j.status })),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await this.resign();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (!this.leader && !(await this.tryLead())) return;
    for (const state of this.jobs) {
      if (this.stopped || !this.leader) return;
      if (Date.now() < state.nextAt) continue;
      await this.runJob(state);
    }
    // Leadership is only as good as the lock connection: check it is still alive.
    await this.client?.query('SELECT 1').catch(() => this.lost('the lock connection failed'));
  }

  private async runJob(state: JobState): Promise<void> {
    const started = new Date();
    state.nextAt = started.getTime() + state.job.intervalMs;
    const ran = (outcome: string, error: string | null): JobStatus => ({
      ...state.status,
      last_run_at: started.toISOString(),
      last_outcome: outcome,
      last_error: error,
      runs: state.status.runs + 1,
    });
    try {
      state.status = ran(await state.job.run({ now: started }), null);
    } catch (err) {
      const message = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
      state.status = ran('failed', message);
      this.options.log?.('scheduled job failed', { job: state.job.name, error: message });
    }
  }

  private async tryLead(): Promise<boolean> {
    try {
      if (!this.client) {
        this.client = await this.pool.connect();
        this.client.on('error', () => this.lost('the lock connection broke'));
      }
      const res = await this.client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked',
        [LOCK_NAMESPACE, LOCK_NAME],
      );
      if (!res.rows[0]?.locked) return false;
      this.leader = true;
      for (const state of this.jobs) state.nextAt = 0;
      this.options.log?.('scheduler: this process runs the jobs');
      this.options.onLeadership?.(true);
      return true;
    } catch (err) {
      this.lost((err as Error).message);
      return false;
    }
  }

  private lost(reason: string): void {
    const wasLeader = this.leader;
    this.leader = false;
    const c = this.client;
    this.client = undefined;
    c?.release(true);
    if (wasLeader) {
      this.options.log?.('scheduler: lost the lock', { reason });
      this.options.onLeadership?.(false);
    }
  }

  private async resign(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) {
      await c.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      c.release();
    }
    if (this.leader) this.options.onLeadership?.(false);
    this.leader = false;
  }
}
