/** `POST /spend/merchants` (KOBATELA-SPEC.md §2.9): 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { CreateMerchantCommand } from './create-merchant.command';
import { CreateMerchantBody } from './create-merchant.request';

@ApiController('spend', 'spend')
export class CreateMerchantController extends BodyCommandController({
  status: 201,
  path: 'merchants',
  access: ['support'],
  answers: 'The merchant; 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS',
  body: CreateMerchantBody,
  command: CreateMerchantCommand,
}) {}
