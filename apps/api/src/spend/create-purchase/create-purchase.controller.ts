/**
 * `POST /spend/purchases` (API-RULES.md §1, §4; KOBATELA-SPEC.md §2.9, §4.13): the mandate's
 * sender or beneficiary, admin; Idempotency-Key required.
 */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PurchaseRead } from '../shared/purchase.view';
import { CreatePurchaseCommand } from './create-purchase.command';
import { CreatePurchaseBody } from './create-purchase.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class CreatePurchaseController extends CommandController {
  @CommandRoute(201, {
    path: 'purchases',
    dispatches: CreatePurchaseCommand,
    access: ['sender'],
    answers: 'The purchase, COMPLETED (a retry: the first purchase)',
  })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreatePurchaseBody,
  ): Promise<Committed<PurchaseRead>> {
    return this.dispatch(new CreatePurchaseCommand(origin, body), 'required');
  }
}
