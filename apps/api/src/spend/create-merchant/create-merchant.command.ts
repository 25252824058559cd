import type { Committed } from '../../http/committed';
import type { MerchantRead } from '../shared/catalogue.view';
import { SpendCommand } from '../shared/spend-command';
import type { CreateMerchantBody } from './create-merchant.request';

/** Support creates a merchant, its name unique case-insensitively, in an optional category. */
export class CreateMerchantCommand extends SpendCommand<
  CreateMerchantBody,
  Committed<MerchantRead>
> {}
