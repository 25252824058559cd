/**
 * `POST /spend/purchases` (API-RULES.md §1, §4; KOBATELA-SPEC.md §2.9, §4.13): the mandate's
 * sender or beneficiary, admin; Idempotency-Key required.
 */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { CreatePurchaseCommand } from './create-purchase.command';
import { CreatePurchaseBody } from './create-purchase.request';

@ApiController('spend', 'spend')
export class CreatePurchaseController extends BodyCommandController({
  status: 201,
  path: 'purchases',
  access: ['sender'],
  answers: 'The purchase, COMPLETED (a retry: the first purchase)',
  body: CreatePurchaseBody,
  command: CreatePurchaseCommand,
  idempotencyKey: 'required',
}) {}
