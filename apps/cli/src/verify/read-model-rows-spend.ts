/**
 * `verify --all`'s checks of the spend catalogue, mandates and restricted transfers: each
 * category's and merchant's row, an owner's usage allows and allowlist entries (one stream per
 * owner holds them all), a mandate's row and purchases, a user's certification, a completed
 * transaction's row.
 */
import {
  type AllowlistState,
  type CertificationState,
  type MandateState,
  type MerchantState,
  type SpendCategoryState,
  type TransactionState,
  type UsageAllowState,
  allowlistDecider,
  certificationDecider,
  mandateDecider,
  merchantDecider,
  spendCategoryDecider,
  transactionDecider,
  usageAllowDecider,
} from '@kob/domain';
import {
  type RowCheck,
  firstDifference,
  foldedBy,
  rowCount,
  rowDifference,
  same,
  oneRowCheck,
  sameAmount,
} from './read-model-rows';

/** An owner's stream (usage allows, allowlist) holds a record once its first event named one. */
const ownerNamed = (state: unknown) => (state as { ownerId: string }).ownerId !== '';

/** The spend_categories row: code and label. */
const spendCategoryCheck = oneRowCheck<SpendCategoryState>({
  decider: spendCategoryDecider,
  projectors: ['spend'],
  table: 'spend_categories',
  key: (state) => ['id', state.categoryId],
  fields: (state) => [
    ['code', state.code],
    ['label', state.label],
  ],
});

/** The merchants row: name, category, certification. */
const merchantCheck = oneRowCheck<MerchantState>({
  decider: merchantDecider,
  // `merchant-name-{hash}`: the uniqueness reservation of merchant names.
  foreign: ['merchant-name-'],
  projectors: ['spend'],
  table: 'merchants',
  key: (state) => ['id', state.merchantId],
  fields: (state) => [
    ['name', state.name],
    ['category_id', state.categoryId],
    ['is_certified', state.isCertified],
  ],
});

/** One usage_allows row per merchant and per category the owner allowed. */
const usageAllowCheck: RowCheck = {
  category: usageAllowDecider.category,
  projectors: ['spend'],
  fold: foldedBy(usageAllowDecider, ownerNamed),
  async difference(platform, folded) {
    const state = folded as UsageAllowState;
    const rows = await rowCount(platform, 'usage_allows', 'owner_id', state.ownerId);
    const allowed = state.merchantIds.length + state.categoryIds.length;
    return firstDifference([['usage_allows rows', rows, allowed, same]]);
  },
};

/** The mandates row (status, total spent) and as many purchases rows as it recorded. */
const mandateCheck: RowCheck = {
  category: mandateDecider.category,
  // `mandate-slot-{hash}`: the reservation of a sender, beneficiary and currency's one mandate.
  foreign: ['mandate-slot-'],
  projectors: ['mandates'],
  fold: foldedBy(mandateDecider),
  async difference(platform, folded) {
    const state = folded as MandateState;
    const purchases = await rowCount(platform, 'purchases', 'mandate_id', state.mandateId);
    const row = await rowDifference(
      platform,
      'mandates',
      ['id', state.mandateId],
      [
        ['status', state.status],
        ['total_amount', state.totalAmount, sameAmount],
        ['total_spent', state.totalSpent, sameAmount],
      ],
    );
    return row ?? firstDifference([['purchases rows', purchases, state.purchases, same]]);
  },
};

/** One allowlist_entries row per recipient the owner has on the list now. */
const allowlistCheck: RowCheck = {
  category: allowlistDecider.category,
  projectors: ['transfers'],
  fold: foldedBy(allowlistDecider, ownerNamed),
  async difference(platform, folded) {
    const state = folded as AllowlistState;
    const rows = await rowCount(platform, 'allowlist_entries', 'owner_id', state.ownerId);
    return firstDifference([['allowlist_entries rows', rows, state.recipientIds.length, same]]);
  },
};

/** The certifications row: the user's level. */
const certificationCheck = oneRowCheck<CertificationState>({
  decider: certificationDecider,
  projectors: ['transfers'],
  table: 'certifications',
  key: (state) => ['user_id', state.userId],
  fields: (state) => [['level', state.level]],
});

/** The transactions row: parties, amount, currency. */
const transactionCheck = oneRowCheck<TransactionState>({
  decider: transactionDecider,
  projectors: ['transfers'],
  table: 'transactions',
  key: (state) => ['id', state.transactionId],
  fields: (state) => [
    ['sender_id', state.senderId],
    ['receiver_id', state.receiverId],
    ['amount', state.amount, sameAmount],
    ['currency', state.currency],
  ],
});

/** The spend, mandate and transfer checks. */
export const spendAndTransferChecks: readonly RowCheck[] = [
  spendCategoryCheck,
  merchantCheck,
  usageAllowCheck,
  mandateCheck,
  allowlistCheck,
  certificationCheck,
  transactionCheck,
];
