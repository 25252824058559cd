import type { Committed } from '../../http/committed';
import type { PurchaseRead } from '../shared/purchase.view';
import { SpendCommand } from '../shared/spend-command';
import type { CreatePurchaseBody } from './create-purchase.request';

/** A purchase against the usage mandate of (sender, beneficiary, currency). */
export class CreatePurchaseCommand extends SpendCommand<
  CreatePurchaseBody,
  Committed<PurchaseRead>
> {}
