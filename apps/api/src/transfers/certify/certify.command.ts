import { Command } from '@nestjs/cqrs';
import type { CertificationLevel } from '@kob/domain';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { CertifyBody } from './certify.request';

export interface CertifyAnswer {
  status: 'created' | 'updated' | 'unchanged';
}

/** Admin certifies `userId` (in lower case) at `level`, as the body of `POST /certified` says. */
export class CertifyCommand extends Command<Committed<CertifyAnswer>> {
  readonly userId: string;
  readonly level: CertificationLevel;

  constructor(
    readonly origin: CommandOrigin,
    body: CertifyBody,
  ) {
    super();
    this.userId = body.user_id.toLowerCase();
    this.level = body.level;
  }
}
