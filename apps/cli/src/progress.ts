/**
 * Progress of a long command (verify, export, rebuild) on stderr, never mixed with its answer on
 * stdout: a bar with the rate and the time left (`cli-progress`) when stderr is a terminal, else
 * a plain line every PROGRESS_LINE_INTERVAL_MS and one at the end (a JSON object per line with
 * `--json`), which logs and CI keep readable. The total may be an estimate or unknown (null):
 * the time left is then shown only while the count is below it.
 */
import { SingleBar } from 'cli-progress';

/** How often a plain progress line is written when stderr is not a terminal. */
export const PROGRESS_LINE_INTERVAL_MS = 2_000;

export interface Progress {
  /** `done` units so far (a running count, not an increment). */
  update(done: number): void;
  /** The last line (plain) or the bar's final state; call once. */
  stop(): void;
}

interface Rate {
  done: number;
  total: number | null;
  perSecond: number;
  etaSeconds: number | null;
}

function rateOf(startedAt: number, done: number, total: number | null): Rate {
  const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
  const perSecond = done / seconds;
  const left = total !== null && total > done ? total - done : null;
  const etaSeconds = left !== null && perSecond > 0 ? Math.round(left / perSecond) : null;
  return { done, total, perSecond: Math.round(perSecond), etaSeconds };
}

function plainLine(task: string, unit: string, r: Rate, json: boolean): string {
  if (json)
    return JSON.stringify({
      progress: task,
      unit,
      done: r.done,
      total: r.total,
      per_second: r.perSecond,
      eta_seconds: r.etaSeconds,
    });
  const of = r.total !== null ? `/${r.total}` : '';
  const eta = r.etaSeconds !== null ? `, ETA ${r.etaSeconds}s` : '';
  return `${task}: ${r.done}${of} ${unit} (${r.perSecond}/s${eta})`;
}

function plainProgress(task: string, unit: string, total: number | null, json: boolean): Progress {
  const startedAt = Date.now();
  let lastLineAt = startedAt;
  let done = 0;
  const line = () =>
    process.stderr.write(`${plainLine(task, unit, rateOf(startedAt, done, total), json)}\n`);
  return {
    update(n) {
      done = n;
      if (Date.now() - lastLineAt < PROGRESS_LINE_INTERVAL_MS) return;
      lastLineAt = Date.now();
      line();
    },
    stop: line,
  };
}

function barProgress(task: string, unit: string, total: number | null): Progress {
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${task} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
    etaBuffer: 50,
    hideCursor: true,
  });
  const startedAt = Date.now();
  bar.start(total ?? 0, 0, { rate: 0 });
  return {
    update(n) {
      // An estimated total may fall short: grow it rather than show more than 100 %.
      if (total === null || n > bar.getTotal()) bar.setTotal(n);
      bar.update(n, { rate: rateOf(startedAt, n, total).perSecond });
    },
    stop: () => bar.stop(),
  };
}

/** Progress of `task` counted in `unit`s out of `total` (null when unknown). */
export function startProgress(
  task: string,
  unit: string,
  total: number | null,
  options: { json: boolean },
): Progress {
  return process.stderr.isTTY && !options.json
    ? barProgress(task, unit, total)
    : plainProgress(task, unit, total, options.json);
}
