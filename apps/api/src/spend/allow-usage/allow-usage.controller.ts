/** `POST /spend/allow` (KOBATELA-SPEC.md §2.9): an owner may use a merchant or a category. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { type AllowStatus, AllowUsageCommand } from './allow-usage.command';
import { AllowUsageBody } from './allow-usage.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class AllowUsageController extends CommandController {
  @CommandRoute(201, {
    path: 'allow',
    dispatches: AllowUsageCommand,
    access: ['support'],
    answers: '{"status":"added"} or {"status":"exists"} (nothing appended)',
  })
  allow(
    @Origin() origin: CommandOrigin,
    @Body() body: AllowUsageBody,
  ): Promise<Committed<AllowStatus>> {
    return this.commandBus.execute(new AllowUsageCommand(origin, body));
  }
}
