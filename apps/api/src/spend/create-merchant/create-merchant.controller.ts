/** `POST /spend/merchants` (KOBATELA-SPEC.md §2.9): 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { MerchantRead } from '../shared/catalogue.view';
import { CatalogueCreate, SpendController } from '../shared/spend-routes';
import { CreateMerchantCommand } from './create-merchant.command';
import { CreateMerchantBody } from './create-merchant.request';
import { CommandDispatcher } from '../../mandates/shared/dispatchers';

@SpendController()
export class CreateMerchantController extends CommandDispatcher {
  @CatalogueCreate(
    'merchants',
    CreateMerchantCommand,
    'The merchant; 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS',
  )
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateMerchantBody,
  ): Promise<Committed<MerchantRead>> {
    return this.commandBus.execute(new CreateMerchantCommand(origin, body));
  }
}
