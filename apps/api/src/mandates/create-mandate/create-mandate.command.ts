import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UsageMandateRead } from '../shared/mandate.view';
import type { CreateMandateBody } from './create-mandate.request';

/** A sender gives its beneficiary a usage mandate (admin: for anyone). */
export class CreateMandateCommand extends Command<Committed<UsageMandateRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly body: CreateMandateBody,
  ) {
    super();
  }
}
