import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';

/** Support expires every ACTIVE mandate past its expiry; the answer counts them. */
export class CleanupMandatesCommand extends Command<Committed<{ expired: number }>> {
  constructor(readonly origin: CommandOrigin) {
    super();
  }
}
