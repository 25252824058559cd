/**
 * The lean `AsyncResource.prototype.bind` binds as Node's own does: the callback runs in the
 * resource's async scope, with the caller's `this` unless one is given, its arguments, result,
 * errors and `length`, and a non-function is refused with Node's error. Only the deprecated
 * accessor differs: `asyncResource` is a plain property (what it does to V8's heap is checked in
 * test/runtime/async-resource-bind-memory.test.ts, in a process of its own).
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import fc from 'fast-check';
import {
  leanAsyncResourceBind,
  nodeAsyncResourceBind,
  nodeBindChangesPrototypes,
  useLeanAsyncResourceBind,
} from './async-resource-bind';

type AnyFn = (...args: any[]) => unknown;
const store = new AsyncLocalStorage<string>();

/** What a bound call saw: its async store, its `this`, its arguments. */
interface Seen {
  store: string | undefined;
  self: unknown;
  args: unknown[];
}

function observer(this: unknown, ...args: unknown[]): Seen {
  return { store: store.getStore(), self: this, args };
}

/** Binds `observer` with `bind` on a resource made inside `made`, calls it inside `called`. */
function callBound(
  bind: (this: AsyncResource, fn: AnyFn, thisArg?: unknown) => unknown,
  made: string,
  called: string,
  args: unknown[],
  thisArg: unknown,
  callerThis: unknown,
): Seen {
  const bound = store.run(made, () =>
    bind.call(new AsyncResource('test'), observer, thisArg),
  ) as AnyFn;
  return store.run(called, () => bound.apply(callerThis, args)) as Seen;
}

describe('the lean AsyncResource bind', () => {
  const nodeBind = nodeAsyncResourceBind();

  it('calls as Node bind does: async scope, this, arguments and result', () => {
    fc.assert(
      fc.property(
        fc.array(fc.anything(), { maxLength: 6 }),
        fc.option(fc.object(), { nil: undefined }),
        fc.object(),
        (args, thisArg, callerThis) => {
          const lean = callBound(
            leanAsyncResourceBind,
            'made',
            'called',
            args,
            thisArg,
            callerThis,
          );
          const node = callBound(nodeBind, 'made', 'called', args, thisArg, callerThis);
          expect(lean.store).toBe('made');
          expect(lean.self).toBe(thisArg === undefined ? callerThis : thisArg);
          expect(lean).toEqual(node);
          expect(lean.args).toHaveLength(args.length);
          lean.args.forEach((a, i) => expect(a).toBe(args[i]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps the callback's length and passes its errors on", () => {
    const resource = new AsyncResource('test');
    const three = leanAsyncResourceBind.call(resource, (_a: 1, _b: 2, _c: 3) => 0) as AnyFn;
    expect(three.length).toBe(3);
    const failing = leanAsyncResourceBind.call(resource, () => {
      throw new RangeError('from the callback');
    }) as AnyFn;
    expect(() => failing()).toThrow(RangeError);
  });

  it('refuses a non-function with Node’s own error', () => {
    const resource = new AsyncResource('test');
    const code = (bind: typeof leanAsyncResourceBind) => {
      try {
        bind.call(resource, 'not a function' as unknown as AnyFn);
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'no error';
    };
    expect(code(leanAsyncResourceBind)).toBe('ERR_INVALID_ARG_TYPE');
    expect(code(leanAsyncResourceBind)).toBe(code(nodeBind));
  });

  it('keeps asyncResource readable and assignable, as a plain enumerable property', () => {
    const resource = new AsyncResource('test');
    const bound = leanAsyncResourceBind.call(resource, () => 1) as AnyFn & {
      asyncResource: unknown;
    };
    expect(bound.asyncResource).toBe(resource);
    expect(Object.keys(bound)).toContain('asyncResource');
    const other = new AsyncResource('other');
    bound.asyncResource = other;
    expect(bound.asyncResource).toBe(other);
    expect(Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get).toBeUndefined();
  });

  it("is installed where Node's bind makes deprecated accessors, and only there", () => {
    const needed = nodeBindChangesPrototypes();
    // Node 20 (this service's runtime, docker/Dockerfile) is such a Node.
    if (Number(process.versions.node.split('.')[0]) === 20) expect(needed).toBe(true);
    expect(useLeanAsyncResourceBind()).toBe(needed);
    expect(useLeanAsyncResourceBind()).toBe(needed);
    const installed = AsyncResource.prototype.bind as unknown;
    expect(installed !== nodeBind).toBe(needed);
    // Whichever bind is installed still binds.
    const bound = store.run('made', () => new AsyncResource('test').bind(observer));
    expect(store.run('called', () => bound()).store).toBe('made');
  });
});
