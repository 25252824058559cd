/**
 * Merchant decider (`merchant-{id}`): created once with a name unique across the catalogue (the
 * `merchant-name` reservation claimed in the same append), an optional category that must exist,
 * and whether it is certified (a certified merchant may be paid by any mandate's beneficiary).
 */
import { DomainError } from '@kob/kernel';
import { recordDecider } from '../decider-kit';
import { catalogueText, spendLimits } from './spend-category.decider';
import type { MerchantCommand } from './spend.commands';
import type { MerchantEvent } from './spend.events';

export interface MerchantState {
  exists: boolean;
  merchantId: string;
  name: string;
  categoryId: string | null;
  isCertified: boolean;
  createdAt: string;
}

export const merchantDecider = recordDecider<MerchantState, MerchantCommand, MerchantEvent>({
  category: 'merchant',
  initialState: () => ({
    exists: false,
    merchantId: '',
    name: '',
    categoryId: null,
    isCertified: false,
    createdAt: '',
  }),
  conflict: { code: 'MERCHANT_EXISTS', what: 'merchant' },
  create(command) {
    if (command.categoryId !== null && !command.categoryExists) {
      throw new DomainError('CATEGORY_NOT_FOUND', 'Category not found.', 'not_found', {
        category_id: command.categoryId,
      });
    }
    return {
      type: 'spend.merchant_created.v1',
      data: {
        merchantId: command.merchantId,
        name: catalogueText(command.name, 'name', spendLimits.merchantNameLengthMax),
        categoryId: command.categoryId,
        isCertified: command.isCertified,
        createdAt: command.now,
      },
    };
  },
});
