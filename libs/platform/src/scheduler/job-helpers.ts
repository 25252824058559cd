/**
 * What every scheduler job shares: the metadata of a command a system actor runs, and running a
 * batch of to-do items past individual failures, reported together at the end.
 */
import { DomainError, type SystemActorName, newId, systemActor } from '@kob/kernel';
import type { CommandMetadata } from '../commands/command-runner';

export function systemMetadata(name: SystemActorName, now: Date = new Date()): CommandMetadata {
  const id = newId();
  return { actor: systemActor(name), commandId: id, correlationId: id, causationId: id, now };
}

/**
 * Runs `work` on each item, keeps going past failures, and reports them all at the end, each
 * named by its item (`<id>: <code>: <message>`). Returns how many items ended in each outcome.
 */
export async function eachItem<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  work: (item: T) => Promise<string>,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const errors: string[] = [];
  for (const item of items) {
    try {
      const outcome = await work(item);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    } catch (err) {
      const code = err instanceof DomainError ? `${err.code}: ` : '';
      errors.push(`${idOf(item)}: ${code}${(err as Error).message}`);
    }
  }
  if (errors.length > 0)
    throw new Error(`${errors.length} of ${items.length} failed: ${errors.slice(0, 3).join('; ')}`);
  return counts;
}

/** `what: 2 expired, 1 already closed`, or `what: none`. */
export const describeCounts = (what: string, counts: Map<string, number>): string =>
  counts.size === 0
    ? `${what}: none`
    : `${what}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
