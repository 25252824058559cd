/**
 * `copyWith` builds what `{ ...base, ...extra }` builds (fast-check over objects of every kind,
 * `__proto__` members included). That its objects share V8's hidden classes, where the spread's
 * do not on Node 20, is checked in test/runtime/copy-with-hidden-classes.test.ts.
 */
import fc from 'fast-check';
import { copyWith } from './copy-with';

describe('copyWith', () => {
  it('builds what the spread builds', () => {
    const withProto = fc.oneof(
      fc.object(),
      fc
        .object()
        .map((o) => JSON.parse(`{"__proto__": {"polluted": 1}, "k": ${JSON.stringify(o)}}`)),
    );
    fc.assert(
      fc.property(withProto, withProto, (a, b) => {
        const copy = copyWith(a, b) as Record<string, unknown>;
        const spread = { ...a, ...b } as Record<string, unknown>;
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
        expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(spread));
        for (const k of Reflect.ownKeys(spread)) {
          expect(Object.getOwnPropertyDescriptor(copy, k)).toEqual(
            Object.getOwnPropertyDescriptor(spread, k),
          );
        }
        expect(a).not.toBe(copy);
      }),
      { numRuns: 500 },
    );
  });

  it('copies symbols and leaves both inputs as they were', () => {
    const s = Symbol('s');
    const base = { a: 1, [s]: 'sym', b: 2 };
    const extra = { b: 3, c: 4 };
    const copy = copyWith(base, extra);
    expect(copy).toEqual({ a: 1, b: 3, c: 4, [s]: 'sym' });
    expect(base).toEqual({ a: 1, [s]: 'sym', b: 2 });
    expect(extra).toEqual({ b: 3, c: 4 });
  });
});
