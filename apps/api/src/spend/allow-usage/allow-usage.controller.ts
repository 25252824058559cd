/** `POST /spend/allow` (KOBATELA-SPEC.md §2.9): an owner may use a merchant or a category. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { CatalogueCreate, SpendController } from '../shared/spend-routes';
import { type AllowStatus, AllowUsageCommand } from './allow-usage.command';
import { AllowUsageBody } from './allow-usage.request';
import { CommandDispatcher } from '../../mandates/shared/dispatchers';

@SpendController()
export class AllowUsageController extends CommandDispatcher {
  @CatalogueCreate(
    'allow',
    AllowUsageCommand,
    '{"status":"added"} or {"status":"exists"} (nothing appended)',
  )
  allow(
    @Origin() origin: CommandOrigin,
    @Body() body: AllowUsageBody,
  ): Promise<Committed<AllowStatus>> {
    return this.commandBus.execute(new AllowUsageCommand(origin, body));
  }
}
