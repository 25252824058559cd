import { Command } from '@nestjs/cqrs';

/** Expires a mandate past `expires_at`; answers `expired` or `already closed`. */
export class ExpireDueMandateCommand extends Command<string> {
  constructor(
    readonly mandateId: string,
    readonly now: Date,
  ) {
    super();
  }
}
