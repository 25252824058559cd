import { AssertionError } from './errors';

/** Asserts an invariant; a failure is a bug, never a user error (STYLE.md §8). */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
