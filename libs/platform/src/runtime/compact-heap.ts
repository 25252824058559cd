/**
 * One full, memory-reducing garbage collection when start-up is done, before the process takes
 * work (`COMPACT_HEAP_AT_START`, on by default).
 *
 * Why: V8 sets the old generation's next limit after each full collection as the live heap times
 * a growing factor between 1.1 and 4, which it derives from its marking speed divided by how fast
 * old objects were allocated just before. The first full collection of a freshly started process
 * comes a few seconds in, when most of what V8 saw allocated was start-up's module loading, the
 * fastest old-generation allocation the process will ever make; so that first factor is a draw
 * between about 2 and 4 (1.9–3.8 measured for the same code, README, Performance). The old
 * generation then fills to 90–175 MB of mostly garbage before it is collected again, and the same
 * code peaks 30–60 MB higher in one run than in the next. A memory-reducing collection sets the
 * limit from the live heap with the smallest factor instead; every later one is sized from the
 * load the process actually serves (1.1–1.7 in most traced runs; with both cores saturated V8
 * still chose 2.3 and then 4.0 once, a heuristic of the load's that this does not touch).
 *
 * How: Node has no public call for a collection without `--expose-gc`, but `v8.queryObjects`
 * (Node ≥ 20.13; this service needs ≥ 20.19) collects all available garbage before it counts the
 * instances of a class, by its documentation. It is asked for a class that has none. The call
 * is marked experimental, so Node warns once when it is first used; that warning is left out of
 * the process's warnings (every other warning passes). Costs one pause before listening (0.6–0.8
 * s on a 2-vCPU machine for a 50 MB heap, mostly the query's walk of the heap after the
 * collection), never while requests are served.
 */
import v8 from 'node:v8';
import type { Logger } from 'pino';

export interface HeapCompaction {
  /** Used heap before and after, in bytes. */
  usedBefore: number;
  usedAfter: number;
  ms: number;
}

/** No instances of this class are ever made: the query counts nothing, only collects. */
class NeverInstantiated {}

const QUERY_OBJECTS_WARNING = /^v8\.queryObjects\(\) is an experimental feature/;

/**
 * Collects all available garbage; null where this Node has no `v8.queryObjects` (nothing done).
 */
export function compactHeap(): HeapCompaction | null {
  const queryObjects = (v8 as { queryObjects?: (ctor: new () => unknown) => unknown }).queryObjects;
  if (typeof queryObjects !== 'function') return null;
  const started = performance.now();
  const usedBefore = v8.getHeapStatistics().used_heap_size;
  withoutQueryObjectsWarning(() => queryObjects(NeverInstantiated));
  return {
    usedBefore,
    usedAfter: v8.getHeapStatistics().used_heap_size,
    ms: performance.now() - started,
  };
}

/** Runs `fn` with Node's experimental warning for `v8.queryObjects` held back. */
function withoutQueryObjectsWarning(fn: () => void): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning, ...rest: unknown[]) {
    const message = typeof warning === 'string' ? warning : warning.message;
    if (QUERY_OBJECTS_WARNING.test(message)) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    fn();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** `compactHeap` when `enabled` (COMPACT_HEAP_AT_START), logged; what it did, or null. */
export function compactHeapAfterStart(
  enabled: boolean,
  logger: Pick<Logger, 'info'>,
): HeapCompaction | null {
  if (!enabled) return null;
  const done = compactHeap();
  if (done === null) return null;
  const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10; // one decimal
  logger.info(
    {
      ms: Math.round(done.ms),
      used_mb_before: mb(done.usedBefore),
      used_mb_after: mb(done.usedAfter),
    },
    'heap compacted after start',
  );
  return done;
}
