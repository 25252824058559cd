/** What names an allowlist entry, in a request and in a command: its owner and its recipient. */
import { Command } from '@nestjs/cqrs';
import type { CommandOrigin } from '../../platform/command-origin';
import { UuidField } from './uuid-fields';

export class AllowlistEntryFields {
  @UuidField()
  owner_id!: string;

  @UuidField()
  recipient_id!: string;
}

/** A command on `ownerId`'s allowlist about `recipientId` (ids in lower case). */
export abstract class AllowlistEntryCommand<R> extends Command<R> {
  constructor(
    readonly origin: CommandOrigin,
    readonly ownerId: string,
    readonly recipientId: string,
  ) {
    super();
  }

  /** The entry the request names, its ids in lower case. */
  static idsOf(fields: AllowlistEntryFields): [ownerId: string, recipientId: string] {
    return [fields.owner_id.toLowerCase(), fields.recipient_id.toLowerCase()];
  }
}
