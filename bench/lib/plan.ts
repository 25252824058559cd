/** How long and how much each benchmark runs: a full run, or `--quick`; what every group is given. */
import type { PgConnectionConfig } from '@kob/postgres';
import type { Timing } from '../pg-store.bench';

export interface BenchPlan {
  quick: boolean;
  timing: Timing;
  httpTiming: Timing;
  escrows: number;
  photos: number;
  rebuildEvents: number;
  /** The lag run's target rate (deposits/s), offered when the API sustains it. */
  lagOfferedPerS: number;
  lagDurationMs: number;
  /** The closed-loop deposit run that measures the worker-mode API's capacity first. */
  lagCalibration: Timing;
}

export type BenchLog = (msg: string) => void;

/** What a group of benchmarks runs with: the server, a scratch folder, the plan, the log. */
export interface BenchContext {
  admin: PgConnectionConfig;
  dir: string;
  plan: BenchPlan;
  log: BenchLog;
}

/** Each figure as `--quick` has it, then as a full run has it. */
export function benchPlan(quick: boolean): BenchPlan {
  const pick = <T>(quickValue: T, fullValue: T): T => (quick ? quickValue : fullValue);
  return {
    quick,
    timing: pick({ warmupMs: 500, durationMs: 2_000 }, { warmupMs: 2_000, durationMs: 8_000 }),
    httpTiming: pick(
      { warmupMs: 1_000, durationMs: 3_000 },
      { warmupMs: 3_000, durationMs: 12_000 },
    ),
    escrows: pick(200, 1_000),
    photos: pick(4, 16),
    rebuildEvents: pick(20_000, 200_000),
    lagOfferedPerS: 300,
    lagDurationMs: pick(3_000, 10_000),
    lagCalibration: pick(
      { warmupMs: 500, durationMs: 2_000 },
      { warmupMs: 1_000, durationMs: 4_000 },
    ),
  };
}
