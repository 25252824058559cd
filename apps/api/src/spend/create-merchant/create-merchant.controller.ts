/** `POST /spend/merchants` (KOBATELA-SPEC.md §2.9): 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { MerchantRead } from '../shared/catalogue.view';
import { CreateMerchantCommand } from './create-merchant.command';
import { CreateMerchantBody } from './create-merchant.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class CreateMerchantController extends CommandController {
  @CommandRoute(201, {
    path: 'merchants',
    dispatches: CreateMerchantCommand,
    access: ['support'],
    answers: 'The merchant; 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS',
  })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateMerchantBody,
  ): Promise<Committed<MerchantRead>> {
    return this.commandBus.execute(new CreateMerchantCommand(origin, body));
  }
}
