/**
 * A command on the stream its target names (an owner's allowlist, a user's certification) about
 * users whose existence its decider judges: first the metadata (Idempotency-Key optional: the
 * command's id is derived from it and remembered there), then whether those users all exist (read
 * from their streams); the command is made of that fact and the command's clock. Commands on that
 * stream queue behind each other.
 */
import type { Decider, DomainEvent } from '@kob/domain';
import type { CommandRunner } from '@kob/platform';
import type { CommandOrigin } from '../../platform/command-origin';
import { allUsersExist } from './transfer-users';

/** The stream a command goes to, its decider, and the users it names. */
export interface Target<S, C, E extends DomainEvent> {
  decider: Decider<S, C, E>;
  streamId: string;
  users: string[];
}

export async function executeOnTarget<S, C, E extends DomainEvent>(
  commands: CommandRunner,
  origin: CommandOrigin,
  target: Target<S, C, E>,
  command: (usersExist: boolean, now: string) => C,
) {
  const metadata = origin.metadata('optional');
  const usersExist = await allUsersExist(commands, target.users);
  const now = metadata.now.toISOString();
  return commands.executeWithDerivedId({
    decider: target.decider,
    metadata,
    queueOn: 'target',
    targetStream: () => target.streamId,
    command: () => command(usersExist, now),
  });
}
