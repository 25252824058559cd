/**
 * Catalogue commands. Facts only another stream knows (does the category exist, does the owner)
 * are looked up by the handler and arrive in the command, so the rules stay in the decider.
 */
export interface CreateSpendCategory {
  type: 'CreateSpendCategory';
  categoryId: string;
  code: string;
  label: string;
  now: string;
}

export type SpendCategoryCommand = CreateSpendCategory;

export interface CreateMerchant {
  type: 'CreateMerchant';
  merchantId: string;
  name: string;
  categoryId: string | null;
  /** Whether `spend_category-{categoryId}` exists (ignored when categoryId is null). */
  categoryExists: boolean;
  isCertified: boolean;
  now: string;
}

export type MerchantCommand = CreateMerchant;

export interface AllowUsage {
  type: 'AllowUsage';
  ownerId: string;
  /** Whether `user-{ownerId}` exists (the old service's B11 answered `exists` for a stranger). */
  ownerExists: boolean;
  merchantId: string | null;
  categoryId: string | null;
  /** Whether the named merchant or category exists. */
  targetExists: boolean;
  now: string;
}

export type UsageAllowCommand = AllowUsage;
