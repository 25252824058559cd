/**
 * `AsyncResource.prototype.bind` without Node 20's deprecation wrappers.
 *
 * Node 20 gives every function `bind` returns an `asyncResource` accessor whose getter and setter
 * are `util.deprecate` wrappers (DEP0172), and `util.deprecate` calls
 * `Object.setPrototypeOf(wrapper, fn)` on a closure made for that one call: each bind makes a fresh
 * closure a prototype. V8 keeps its prototype bookkeeping in the old generation, and measured, the
 * effect is that each bound function, its scope and what the bound callback closes over outlive
 * V8's young-generation collections until the next full one, however soon they become garbage (the
 * exact path inside V8 was not traced). Fastify binds a callback for every request that has a body
 * (its content-type parser: the request, the reply, the route's handler), so every such request's
 * objects were promoted. A bare Fastify server with a 30 ms JSON POST route promotes 4.8 KB per
 * request with Node's bind and none with this one; the API's deposits, 20 KB and 6–9 KB (README,
 * Performance). Node has since changed it upstream (nodejs/node#58218, #59195: `deprecate` no
 * longer changes the prototype there, and the property is being removed).
 *
 * `useLeanAsyncResourceBind` replaces the method, once per process, only where Node's own makes
 * that accessor with a changed prototype. The replacement binds exactly as Node's does: the
 * callback runs in the resource's async scope, `this` is the caller's unless `thisArg` is given,
 * `length` is the callback's, and a non-function is refused with Node's own error. What it drops
 * is the DEP0172 warning: `asyncResource` is a plain writable property holding the resource, so
 * reading and assigning it behave as the accessor did.
 */
import { AsyncResource } from 'node:async_hooks';

type Bind = (this: AsyncResource, fn: (...args: any[]) => unknown, thisArg?: unknown) => unknown;

/**
 * Node's own `bind`, kept on the lean one when it is installed: another copy of this module (the
 * tests load one per file into the same process) then still finds Node's.
 */
const NODE_BIND = Symbol.for('kobatela.asyncResourceBind.node');

const proto = AsyncResource.prototype as unknown as { bind: Bind & { [NODE_BIND]?: Bind } };
const nodeBind: Bind = proto.bind[NODE_BIND] ?? proto.bind;

/**
 * True when this Node's `bind` makes its `asyncResource` accessor with `util.deprecate` wrappers
 * (a getter whose prototype was changed to another function). Reads the descriptor only: calling
 * the getter would print the warning.
 */
export function nodeBindChangesPrototypes(): boolean {
  const bound = nodeBind.call(new AsyncResource('kobatela-bind-probe'), () => undefined);
  const getter = Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get;
  return typeof getter === 'function' && Object.getPrototypeOf(getter) !== Function.prototype;
}

/** The lean `bind` (exported for its tests; `useLeanAsyncResourceBind` installs it). */
export function leanAsyncResourceBind(
  this: AsyncResource,
  fn: (...args: any[]) => unknown,
  thisArg?: unknown,
): unknown {
  // Node's own validation and error (ERR_INVALID_ARG_TYPE) for anything but a function.
  if (typeof fn !== 'function') return nodeBind.call(this, fn, thisArg);
  const resource = this;
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : resource.runInAsyncScope.bind(resource, fn, thisArg);
  Object.defineProperties(bound, {
    length: { configurable: true, enumerable: false, value: fn.length, writable: false },
    asyncResource: { configurable: true, enumerable: true, value: resource, writable: true },
  });
  return bound;
}

/**
 * Installs the lean `bind` if this Node needs it; true when `AsyncResource.prototype.bind` is a
 * lean one afterwards. Safe to call more than once.
 */
export function useLeanAsyncResourceBind(): boolean {
  if (proto.bind[NODE_BIND]) return true;
  if (proto.bind !== nodeBind || !nodeBindChangesPrototypes()) return false;
  const lean = leanAsyncResourceBind as Bind & { [NODE_BIND]?: Bind };
  lean[NODE_BIND] = nodeBind;
  proto.bind = lean;
  return true;
}

/** Node's own `bind` (for the tests, which compare the two). */
export function nodeAsyncResourceBind(): Bind {
  return nodeBind;
}
