/** `POST /mandates` (API-RULES.md §1, KOBATELA-SPEC.md §2.8, §4.13): the mandate, ACTIVE. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UsageMandateRead } from '../shared/mandate.view';
import { CreateMandateCommand } from './create-mandate.command';
import { CreateMandateBody } from './create-mandate.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('mandates', 'mandates')
export class CreateMandateController extends CommandController {
  @CommandRoute(201, {
    dispatches: CreateMandateCommand,
    access: ['sender'],
    answers: 'The mandate, ACTIVE',
  })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateMandateBody,
  ): Promise<Committed<UsageMandateRead>> {
    return this.commandBus.execute(new CreateMandateCommand(origin, body));
  }
}
