/**
 * The catalogue as its streams say (never a read model): whether a category or merchant exists,
 * and the creation of an entry whose name is unique case-insensitively (a reservation claimed in
 * the creating append: 409 otherwise).
 */
import { type Decider, type DomainEvent, spendCategoryDecider } from '@kob/domain';
import { DomainError } from '@kob/kernel';
import type { CommandMetadata, CommandResult, CommandRunner } from '@kob/platform';
import { uniquenessKey } from '../../identity/identity-text';
import type { ReservationStreams } from '../../platform/platform.providers';

export async function categoryExists(commands: CommandRunner, id: string): Promise<boolean> {
  const { state } = await commands.read(`spend_category-${id}`, spendCategoryDecider);
  return state.exists;
}

export interface UniqueEntry<S, C, E extends DomainEvent> {
  decider: Decider<S, C, E>;
  /** stream prefix and reservation owner prefix, e.g. `merchant` */
  category: string;
  /** reservation kind, unique value, and the 409 it answers when taken */
  reservation: string;
  value: string;
  field: string;
  taken: { code: string; message: string };
  command: (id: string) => C;
}

export async function createUnique<S, C, E extends DomainEvent>(
  commands: CommandRunner,
  reservationStream: ReservationStreams,
  metadata: CommandMetadata,
  entry: UniqueEntry<S, C, E>,
): Promise<CommandResult<S, E>> {
  const stream = await reservationStream(entry.reservation, uniquenessKey(entry.value));
  return commands.executeWithDerivedId({
    decider: entry.decider,
    metadata,
    targetStream: (id) => `${entry.category}-${id}`,
    command: entry.command,
    claims: (id) => [
      {
        streamId: stream,
        owner: `${entry.category}:${id}`,
        taken: () =>
          new DomainError(entry.taken.code, entry.taken.message, 'conflict', {
            field: entry.field,
          }),
      },
    ],
  });
}
