/** How long and how much each benchmark runs: a full run, or `--quick`. */
import type { Timing } from '../pg-store.bench';

export interface BenchPlan {
  quick: boolean;
  timing: Timing;
  httpTiming: Timing;
  escrows: number;
  photos: number;
  rebuildEvents: number;
  lagOfferedPerS: number;
  lagDurationMs: number;
}

export type BenchLog = (msg: string) => void;

export function benchPlan(quick: boolean): BenchPlan {
  return quick
    ? {
        quick,
        timing: { warmupMs: 500, durationMs: 2_000 },
        httpTiming: { warmupMs: 1_000, durationMs: 3_000 },
        escrows: 200,
        photos: 4,
        rebuildEvents: 20_000,
        lagOfferedPerS: 300,
        lagDurationMs: 3_000,
      }
    : {
        quick,
        timing: { warmupMs: 2_000, durationMs: 8_000 },
        httpTiming: { warmupMs: 3_000, durationMs: 12_000 },
        escrows: 1_000,
        photos: 16,
        rebuildEvents: 200_000,
        lagOfferedPerS: 300,
        lagDurationMs: 10_000,
      };
}
