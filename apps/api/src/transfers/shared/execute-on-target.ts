/**
 * A command on the stream its target names (an owner's allowlist, a user's certification): its
 * id is derived from the Idempotency-Key (optional) and remembered there, and commands on that
 * stream queue behind each other.
 */
import type { Decider, DomainEvent } from '@kob/domain';
import type { CommandMetadata, CommandRunner } from '@kob/platform';

export function executeOnTarget<S, C, E extends DomainEvent>(
  commands: CommandRunner,
  decider: Decider<S, C, E>,
  metadata: CommandMetadata,
  streamId: string,
  command: C,
) {
  return commands.executeWithDerivedId({
    decider,
    metadata,
    queueOn: 'target',
    targetStream: () => streamId,
    command: () => command,
  });
}
