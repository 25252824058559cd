import { AssertionError } from './errors';

/**
 * Asserts an invariant; a failure is a bug, never a user error (STYLE.md §8). A message that
 * costs something to write (amounts formatted, say) is given as a function, called on failure.
 */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionError(typeof message === 'function' ? message() : message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
