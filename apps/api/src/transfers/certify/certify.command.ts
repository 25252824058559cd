import { Command } from '@nestjs/cqrs';
import type { CertificationLevel } from '@kob/domain';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';

export interface CertifyAnswer {
  status: 'created' | 'updated' | 'unchanged';
}

/** Admin certifies `userId` (in lower case) at `level`. */
export class CertifyCommand extends Command<Committed<CertifyAnswer>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly userId: string,
    readonly level: CertificationLevel,
  ) {
    super();
  }
}
