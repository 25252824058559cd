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

/** A command on `ownerId`'s allowlist about `recipientId`: the entry the request names, its ids in lower case. */
export abstract class AllowlistEntryCommand<R> extends Command<R> {
  readonly ownerId: string;
  readonly recipientId: string;

  constructor(
    readonly origin: CommandOrigin,
    fields: AllowlistEntryFields,
  ) {
    super();
    this.ownerId = fields.owner_id.toLowerCase();
    this.recipientId = fields.recipient_id.toLowerCase();
  }
}
