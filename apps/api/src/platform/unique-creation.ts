/**
 * The creation of a record some of whose values are unique case-insensitively (a user's username
 * and email, a category's code, a merchant's name): each value is reserved, in its normal form
 * (identity/identity-text.ts), in the same append as the record, and a value taken answers 409.
 * The record's stream is `{category}-{id}` (its decider's category), its id derived from the
 * Idempotency-Key when one is given (optional).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Decider, DomainEvent } from '@kob/domain';
import { DomainError } from '@kob/kernel';
import { type CommandResult, CommandRunner, type ExtraAppends } from '@kob/platform';
import { uniquenessKey } from '../identity/identity-text';
import type { CommandOrigin } from './command-origin';
import { RESERVATIONS, type ReservationStreams } from './platform.providers';

/** A value the record holds that no other record of its kind may hold. */
export interface UniqueValue {
  /** the reservation's kind, e.g. `merchant-name` */
  reservation: string;
  /** the request's field that carries it, named in the 409 */
  field: string;
  value: string;
}

export interface UniqueCreation<S, C, E extends DomainEvent, F = undefined> {
  decider: Decider<S, C, E>;
  /** reserved in this order */
  unique: UniqueValue[];
  /** the 409 a value taken answers: its code, its message for the field */
  taken: { code: string; message: (field: string) => string };
  /**
   * Read again on every attempt, before the command is built (a user's next number), with the
   * command's kind for metrics and traces (the command cannot be built before the facts).
   */
  facts?: { read: () => Promise<F>; kind: string };
  /** a stream every such creation extends (in `extra`), whose in-process queue they wait in */
  queueOn?: { stream: string };
  /** the creating command, for the record's id, the command's clock and the facts read */
  command: (id: string, now: string, facts: F) => C;
  /** other streams' appends committed with the record (the user-number sequence) */
  extra?: ExtraAppends<S, E>;
}

/** What the handlers that create such records use: the command runner, the reservation streams. */
@Injectable()
export abstract class UniqueCreationHandler {
  constructor(
    protected readonly commands: CommandRunner,
    @Inject(RESERVATIONS) protected readonly reservations: ReservationStreams,
  ) {}

  /** Creates the record `creation` describes, claiming its unique values in the same append. */
  protected async createUnique<S, C, E extends DomainEvent, F = undefined>(
    origin: CommandOrigin,
    creation: UniqueCreation<S, C, E, F>,
  ): Promise<CommandResult<S, E>> {
    const { decider, unique, taken } = creation;
    const metadata = origin.metadata('optional');
    const streams: string[] = [];
    for (const { reservation, value } of unique) {
      streams.push(await this.reservations(reservation, uniquenessKey(value)));
    }
    const now = metadata.now.toISOString();
    const facts = creation.facts;
    const common = {
      decider,
      metadata,
      targetStream: (id: string) => `${decider.category}-${id}`,
      ...(creation.extra ? { extra: creation.extra } : {}),
      ...(creation.queueOn ? { queueOn: creation.queueOn } : {}),
      claims: (id: string) =>
        unique.map(({ field }, index) => ({
          streamId: streams[index]!,
          owner: `${decider.category}:${id}`,
          taken: () => new DomainError(taken.code, taken.message(field), 'conflict', { field }),
        })),
    };
    if (!facts) {
      return this.commands.executeWithDerivedId({
        ...common,
        command: (id) => creation.command(id, now, undefined as F),
      });
    }
    return this.commands.executeWithFacts({
      ...common,
      kind: facts.kind,
      facts: () => facts.read(),
      command: (id, read: F) => creation.command(id, now, read),
    });
  }
}
