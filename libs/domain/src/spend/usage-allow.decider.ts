/**
 * Usage allows (`usage_allow-{ownerUserId}`): the merchants and categories an owner (a mandate's
 * beneficiary) may buy from. An allow already there appends nothing (the answer says `exists`).
 * Unlike the old service (B11), an unknown owner is a 404, never a silent `exists`.
 *
 * `isUsageAllowed` is the purchase rule: the owner's allows list the merchant or the merchant's
 * own category, or the merchant is certified. The category is always the merchant's (the old
 * service's B12 let the client name one).
 */
import { DomainError, assertNever } from '@kob/kernel';
import type { Decider } from '../decider';
import { invalid } from '../escrow/escrow.validate';
import type { MerchantState } from './merchant.decider';
import type { UsageAllowCommand } from './spend.commands';
import type { UsageAllowEvent } from './spend.events';

export interface UsageAllowState {
  ownerId: string;
  merchantIds: string[];
  categoryIds: string[];
}

export const usageAllowDecider: Decider<UsageAllowState, UsageAllowCommand, UsageAllowEvent> = {
  category: 'usage_allow',
  initialState: () => ({ ownerId: '', merchantIds: [], categoryIds: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'spend.usage_allowed.v1': {
        const { ownerId, merchantId, categoryId } = event.data;
        return {
          ownerId,
          merchantIds:
            merchantId && !state.merchantIds.includes(merchantId)
              ? [...state.merchantIds, merchantId]
              : state.merchantIds,
          categoryIds:
            categoryId && !state.categoryIds.includes(categoryId)
              ? [...state.categoryIds, categoryId]
              : state.categoryIds,
        };
      }
      default:
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'AllowUsage': {
        const { merchantId, categoryId } = command;
        if ((merchantId === null) === (categoryId === null)) {
          throw invalid('merchant_id', 'exactly one of merchant_id and category_id is required');
        }
        if (!command.ownerExists)
          throw new DomainError('USER_NOT_FOUND', 'User not found.', 'not_found', {
            owner_id: command.ownerId,
          });
        if (!command.targetExists) {
          throw merchantId !== null
            ? new DomainError('MERCHANT_NOT_FOUND', 'Merchant not found.', 'not_found', {
                merchant_id: merchantId,
              })
            : new DomainError('CATEGORY_NOT_FOUND', 'Category not found.', 'not_found', {
                category_id: categoryId,
              });
        }
        const target =
          merchantId !== null
            ? { merchantId, categoryId: null }
            : { merchantId: null, categoryId: categoryId! };
        const already =
          target.merchantId !== null
            ? state.merchantIds.includes(target.merchantId)
            : state.categoryIds.includes(target.categoryId);
        if (already) return [];
        return [
          {
            type: 'spend.usage_allowed.v1',
            data: { ownerId: command.ownerId, ...target, allowedAt: command.now },
          },
        ];
      }
      default:
        return assertNever(command.type, 'usage allow command');
    }
  },
};

/** The purchase rule: an allow for the merchant or its own category, or a certified merchant. */
export function isUsageAllowed(allow: UsageAllowState, merchant: MerchantState): boolean {
  if (!merchant.exists) return false;
  if (merchant.isCertified) return true;
  if (allow.merchantIds.includes(merchant.merchantId)) return true;
  return merchant.categoryId !== null && allow.categoryIds.includes(merchant.categoryId);
}
