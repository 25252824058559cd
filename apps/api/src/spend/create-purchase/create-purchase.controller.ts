/**
 * `POST /spend/purchases` (API-RULES.md §1, §4; KOBATELA-SPEC.md §2.9, §4.13): the mandate's
 * sender or beneficiary, admin; Idempotency-Key required.
 */
import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PurchaseRead } from '../shared/purchase.view';
import { SpendController } from '../shared/spend-routes';
import { CreatePurchaseCommand } from './create-purchase.command';
import { CreatePurchaseBody } from './create-purchase.request';
import { CommandDispatcher } from '../../mandates/shared/dispatchers';

@SpendController()
export class CreatePurchaseController extends CommandDispatcher {
  @Post('purchases')
  @HttpCode(201)
  @Access('sender')
  @Dispatches(CreatePurchaseCommand)
  @ApiCreatedResponse({ description: 'The purchase, COMPLETED (a retry: the first purchase)' })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreatePurchaseBody,
  ): Promise<Committed<PurchaseRead>> {
    origin.metadata('required');
    return this.commandBus.execute(new CreatePurchaseCommand(origin, body));
  }
}
