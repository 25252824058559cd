/**
 * Measuring: closed loops of N workers (each starts its next operation when the last ends) with a
 * warm-up whose operations are not counted, latency percentiles, and the result rows the bench
 * prints and writes (`bench/results/latest.json`).
 */
export interface BenchResult {
  name: string;
  ops_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  /** For figures that are not rates (`memory.api_rss_mb`, lag). */
  value: number | null;
  unit: string | null;
  /** The benchmark whose ops_per_s this one is compared with. */
  baseline: string | null;
  ratio: number | null;
  /** Counts and notes (conflicts, errors, events, peak memory…). */
  extra: Record<string, number | string | boolean> | null;
}

export interface LoopOutcome {
  ops: number;
  elapsedMs: number;
  latenciesMs: number[];
  errors: number;
  firstError: string | null;
}

/** The p-th percentile (0–100) of latencies, nearest rank. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (x: number | null, digits = 2): number | null =>
  x === null ? null : Number(x.toFixed(digits));

/**
 * Runs `op` in `workers` closed loops for `warmupMs` (not counted) then `durationMs` (counted:
 * operations that started in the window, which `op` is told by `measured`). `op` returns how many
 * operations it did (1, or 100 for a batch). Errors are counted, not thrown; the first is kept for
 * the report.
 */
export async function closedLoop(o: {
  workers: number;
  warmupMs: number;
  durationMs: number;
  op: (worker: number, i: number, measured: boolean) => Promise<number | void>;
}): Promise<LoopOutcome> {
  const started = performance.now();
  const measureFrom = started + o.warmupMs;
  const end = measureFrom + o.durationMs;
  let ops = 0;
  let errors = 0;
  let firstError: string | null = null;
  const latenciesMs: number[] = [];
  const worker = async (w: number) => {
    for (let i = 0; ; i++) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const measured = t0 >= measureFrom;
      try {
        const n = (await o.op(w, i, measured)) ?? 1;
        const t1 = performance.now();
        if (measured) {
          ops += n;
          latenciesMs.push(t1 - t0);
        }
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: o.workers }, (_x, w) => worker(w)));
  return {
    ops,
    elapsedMs: Math.max(performance.now(), end) - measureFrom,
    latenciesMs,
    errors,
    firstError,
  };
}

/** A rate result from a loop's outcome. */
export function rateResult(
  name: string,
  out: LoopOutcome,
  baseline: string | null,
  extra: Record<string, number | string | boolean> = {},
): BenchResult {
  return {
    name,
    ops_per_s: round((out.ops / out.elapsedMs) * 1000, 1),
    p50_ms: round(percentile(out.latenciesMs, 50)),
    p99_ms: round(percentile(out.latenciesMs, 99)),
    value: null,
    unit: null,
    baseline,
    ratio: null,
    extra: {
      ops: out.ops,
      errors: out.errors,
      ...(out.firstError ? { first_error: out.firstError.slice(0, 200) } : {}),
      ...extra,
    },
  };
}

/** Fills each result's ratio from its baseline's ops_per_s (both measured in this run). */
export function withRatios(results: BenchResult[]): BenchResult[] {
  return results.map((r) => {
    const base = r.baseline ? results.find((b) => b.name === r.baseline) : undefined;
    const ratio =
      base?.ops_per_s && r.ops_per_s !== null ? round(r.ops_per_s / base.ops_per_s, 3) : null;
    return { ...r, ratio };
  });
}

/** The results as a fixed-width table for the terminal. */
export function table(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.ops_per_s === null ? '' : String(r.ops_per_s),
    r.p50_ms === null ? '' : String(r.p50_ms),
    r.p99_ms === null ? '' : String(r.p99_ms),
    r.value === null ? '' : `${r.value} ${r.unit ?? ''}`.trim(),
    r.baseline ?? '',
    r.ratio === null ? '' : String(r.ratio),
    r.extra
      ? Object.entries(r.extra)
          .filter(([k]) => k !== 'first_error')
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
      : '',
  ]);
  const head = ['name', 'ops/s', 'p50 ms', 'p99 ms', 'value', 'baseline', 'ratio', 'extra'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Peak and current resident memory of a process (Linux `/proc`), in MB. */
export async function memoryOf(pid: number): Promise<{ peakMb: number; rssMb: number } | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: round(kb('VmHWM') / 1024, 1)!, rssMb: round(kb('VmRSS') / 1024, 1)! };
  } catch {
    return null;
  }
}
