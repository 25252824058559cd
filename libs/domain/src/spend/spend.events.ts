/**
 * The spend catalogue (API-RULES.md §1, KOBATELA-SPEC.md §4.13): categories with unique codes,
 * merchants with unique names and an optional category, and the usages an owner (a mandate's
 * beneficiary) is allowed: one merchant or one category per allow. Codes and names are unique
 * through reservation streams claimed in the same append as the creation.
 */
export interface SpendCategoryCreatedData {
  categoryId: string;
  code: string;
  label: string;
  createdAt: string;
}

export type SpendCategoryEvent = {
  type: 'spend.category_created.v1';
  data: SpendCategoryCreatedData;
};

export interface MerchantCreatedData {
  merchantId: string;
  name: string;
  categoryId: string | null;
  isCertified: boolean;
  createdAt: string;
}

export type MerchantEvent = { type: 'spend.merchant_created.v1'; data: MerchantCreatedData };

/** Exactly one of `merchantId` / `categoryId` is set. */
/** An allow names exactly one target: a merchant, or a spend category (the other is null). */
export type UsageAllowedData = {
  ownerId: string;
  allowedAt: string;
} & ({ merchantId: string; categoryId: null } | { merchantId: null; categoryId: string });

export type UsageAllowEvent = { type: 'spend.usage_allowed.v1'; data: UsageAllowedData };

export type SpendEvent = SpendCategoryEvent | MerchantEvent | UsageAllowEvent;
