/**
 * User numbers (FRONTEND-CONTRACT D3): a stable positive integer per user, given once, in order.
 * A registration reads the sequence stream, takes the next number and extends the sequence at the
 * revision it read in the same append as the user (a concurrent registration conflicts there and
 * its command reads again); a number resolves to its user by the one sequence event that gave it,
 * never through a read model. On EventStoreDB, where one command's streams are written in steps,
 * the sequence event is written first (`precedes`): if the registration then fails, that number
 * stays given to no user (a gap; numbers are never reused).
 */
import { DomainError, assert, newId } from '@kob/kernel';
import {
  USER_NUMBER_SEQUENCE_STREAM,
  type UserNumberEvent,
  userDecider,
  userNumberDecider,
  userNumberRevision,
} from '@kob/domain';
import type { StreamAppend } from '@kob/event-store';
import {
  type CommandMetadata,
  ConcurrencyConflictError,
  type Platform,
  eventMetadataOf,
} from '@kob/platform';
import { userStream } from './shared/identity-streams';

/**
 * The number the next registration (or numbering) takes, read fresh from the sequence. The
 * sequence holds number n at revision n - 1 and nothing else: it is never pinned as a fact nor
 * written by anything but `userNumberAppend` (anything else there would make every registration
 * conflict, so it is checked here rather than assumed).
 */
export async function nextUserNumber(platform: Pick<Platform, 'commands'>): Promise<number> {
  const { state, revision } = await platform.commands.read(
    USER_NUMBER_SEQUENCE_STREAM,
    userNumberDecider,
  );
  assert(
    revision === (state.last === 0 ? null : userNumberRevision(state.last)),
    `${USER_NUMBER_SEQUENCE_STREAM} holds something other than one event per number`,
  );
  return state.last + 1;
}

/** The sequence's append that gives `number` to `userId`, at the revision that number implies. */
export function userNumberAppend(
  number: number,
  userId: string,
  metadata: CommandMetadata,
): StreamAppend {
  const event: UserNumberEvent = { type: 'usernumber.assigned.v1', data: { number, userId } };
  return {
    streamId: USER_NUMBER_SEQUENCE_STREAM,
    expectedRevision: number === 1 ? 'no_stream' : userNumberRevision(number - 1),
    events: [
      { id: newId(), type: event.type, data: event.data, metadata: eventMetadataOf(metadata) },
    ],
    step: 'precedes',
  };
}

/** The id of the user that holds `number`, or null (never given, or given to no user). */
export async function userIdByNumber(
  platform: Pick<Platform, 'commands' | 'store'>,
  number: number,
): Promise<string | null> {
  if (!Number.isSafeInteger(number) || number < 1) return null;
  const [event] = await platform.store.readStream(USER_NUMBER_SEQUENCE_STREAM, {
    fromRevision: userNumberRevision(number),
    maxCount: 1,
  });
  if (!event || event.type !== 'usernumber.assigned.v1') return null;
  const { userId, number: given } = event.data as UserNumberEvent['data'];
  if (given !== number) return null;
  const { state } = await platform.commands.read(userStream(userId), userDecider);
  return state.exists && state.number === number ? userId : null;
}

/** Attempts at one numbering before giving up (each reads the sequence again). */
const NUMBERING_ATTEMPTS_MAX = 20;

/**
 * Gives `userId` (registered before numbers existed) the next number, in the same append as the
 * sequence event; false when it already had one. A concurrent registration that took the number
 * makes the append conflict: the sequence is read again and the next number tried.
 */
export async function numberUser(
  platform: Pick<Platform, 'commands'>,
  userId: string,
  metadata: CommandMetadata,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const number = await nextUserNumber(platform);
    try {
      await platform.commands.execute({
        streamId: userStream(userId),
        decider: userDecider,
        command: { type: 'NumberUser', userId, number, now: metadata.now.toISOString() },
        metadata,
        extra: async () => [userNumberAppend(number, userId, metadata)],
      });
      return true;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'USER_ALREADY_NUMBERED') return false;
      if (!(err instanceof ConcurrencyConflictError) || attempt >= NUMBERING_ATTEMPTS_MAX)
        throw err;
    }
  }
}
