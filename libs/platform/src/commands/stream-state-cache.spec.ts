/**
 * The stream-state cache's bound and its eviction order (second chance): what was read since the
 * last pass stays, what was not goes first, the entry just cached is never the one dropped, and a
 * stream cached under another category is a miss. A fast-check model compares it with a plain
 * second-chance list over random reads, writes and deletes.
 */
import fc from 'fast-check';
import type { CachedStream } from './stream-state-cache';
import { StreamStateCache } from './stream-state-cache';

const entry = (tag: string, category = 'escrow'): CachedStream => ({
  category,
  revision: 0n,
  headHash: tag,
  position: null,
  state: tag,
  idempotency: new Map(),
});

const cached = (cache: StreamStateCache, keys: string[]) =>
  keys.filter((k) => cache.get(k, 'escrow') !== undefined);

describe('stream-state cache', () => {
  it('keeps at most its bound, dropping first what was not read since it was last passed over', () => {
    const cache = new StreamStateCache(3);
    for (const k of ['a', 'b', 'c']) cache.set(k, entry(k));
    // Full: the next insertion passes over all three (each had its chance) and drops the oldest.
    cache.set('d', entry('d'));
    expect(cache.size).toBe(3);
    expect(cached(cache, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
    // b, c and d were just read; e's insertion passes over them once and drops b, the oldest.
    cache.set('e', entry('e'));
    expect(cache.size).toBe(3);
    expect(cache.get('b', 'escrow')).toBeUndefined();
    // c and d were not read since that pass: c goes next, though d was inserted after it.
    cache.get('d', 'escrow');
    cache.set('f', entry('f'));
    expect(cached(cache, ['c', 'd', 'e', 'f'])).toEqual(['d', 'e', 'f']);
  });

  it('replaces a cached state in place, and misses a stream cached under another category', () => {
    const cache = new StreamStateCache(2);
    cache.set('a', entry('a1'));
    cache.set('a', entry('a2'));
    expect(cache.size).toBe(1);
    expect(cache.get('a', 'escrow')?.state).toBe('a2');
    expect(cache.get('a', 'user')).toBeUndefined();
    cache.delete('a');
    expect(cache.get('a', 'escrow')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('behaves as a second-chance list (fast-check model)', () => {
    type Op = { kind: 'get' | 'set' | 'delete'; key: number };
    const op = fc.record({
      kind: fc.constantFrom<Op['kind']>('get', 'set', 'set', 'delete'),
      key: fc.integer({ min: 0, max: 9 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (max, ops) => {
        const cache = new StreamStateCache(max);
        // The model: an array, oldest first, of [key, value, used].
        const model: [string, string, boolean][] = [];
        ops.forEach(({ kind, key }, i) => {
          const k = String(key);
          const at = model.findIndex(([m]) => m === k);
          if (kind === 'get') {
            const got = cache.get(k, 'escrow')?.state;
            expect(got).toBe(at >= 0 ? model[at]![1] : undefined);
            if (at >= 0) model[at]![2] = true;
          } else if (kind === 'delete') {
            cache.delete(k);
            if (at >= 0) model.splice(at, 1);
          } else {
            cache.set(k, entry(`v${i}`));
            if (at >= 0) model[at] = [k, `v${i}`, true];
            else {
              model.push([k, `v${i}`, true]);
              while (model.length > max) {
                const oldest = model.shift()!;
                if (oldest[2]) model.push([oldest[0], oldest[1], false]);
                else break;
              }
            }
          }
          expect(cache.size).toBe(model.length);
        });
      }),
      { numRuns: 300 },
    );
  });
});
