/** The spend catalogue as given/when/then specs: categories and merchants are created once, a
 * merchant's category must exist, an allow names exactly one known target for a known owner and
 * is recorded once, and `isUsageAllowed` uses the merchant's own category. */
import { deciderSpec } from '../testing/decider-spec';
import { merchantDecider, type MerchantState } from './merchant.decider';
import { spendCategoryDecider } from './spend-category.decider';
import type { MerchantEvent, SpendCategoryEvent, UsageAllowEvent } from './spend.events';
import { isUsageAllowed, usageAllowDecider } from './usage-allow.decider';

const NOW = '2026-11-27T10:00:00.000Z';
const C1 = '11111111-1111-4111-8111-111111111111';
const C2 = '22222222-2222-4222-8222-222222222222';
const M1 = '33333333-3333-4333-8333-333333333333';
const U1 = '44444444-4444-4444-8444-444444444444';

const categoryCreated: SpendCategoryEvent = {
  type: 'spend.category_created.v1',
  data: { categoryId: C1, code: 'FOOD', label: 'Food', createdAt: NOW },
};
const merchantCreated: MerchantEvent = {
  type: 'spend.merchant_created.v1',
  data: { merchantId: M1, name: 'Bakery', categoryId: C1, isCertified: false, createdAt: NOW },
};
function allowed(merchantId: string, categoryId: null): UsageAllowEvent;
function allowed(merchantId: null, categoryId: string): UsageAllowEvent;
function allowed(merchantId: string | null, categoryId: string | null): UsageAllowEvent {
  const target =
    merchantId !== null
      ? { merchantId, categoryId: null }
      : { merchantId: null, categoryId: categoryId! };
  return { type: 'spend.usage_allowed.v1', data: { ownerId: U1, ...target, allowedAt: NOW } };
}

describe('spend category decider', () => {
  const spec = deciderSpec(spendCategoryDecider);
  const create = {
    type: 'CreateSpendCategory' as const,
    categoryId: C1,
    code: 'FOOD',
    label: 'Food',
    now: NOW,
  };

  it('creates a category once', () => {
    spec.given([]).when(create).then([categoryCreated]);
    spec.given([categoryCreated]).when(create).thenError('CATEGORY_EXISTS');
  });

  it('refuses blank or oversized text', () => {
    spec
      .given([])
      .when({ ...create, code: '  ' })
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when({ ...create, code: 'x'.repeat(65) })
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when({ ...create, label: 'x'.repeat(256) })
      .thenError('VALIDATION_ERROR');
  });

  it('folds the created category', () => {
    const state = spendCategoryDecider.evolve(spendCategoryDecider.initialState(), categoryCreated);
    expect(state).toEqual({
      exists: true,
      categoryId: C1,
      code: 'FOOD',
      label: 'Food',
      createdAt: NOW,
    });
  });
});

describe('merchant decider', () => {
  const spec = deciderSpec(merchantDecider);
  const create = {
    type: 'CreateMerchant' as const,
    merchantId: M1,
    name: 'Bakery',
    categoryId: C1 as string | null,
    categoryExists: true,
    isCertified: false,
    now: NOW,
  };

  it('creates a merchant once, in an existing category or none', () => {
    spec.given([]).when(create).then([merchantCreated]);
    spec.given([merchantCreated]).when(create).thenError('MERCHANT_EXISTS');
    spec
      .given([])
      .when({ ...create, categoryId: null, categoryExists: false, isCertified: true })
      .then([
        {
          ...merchantCreated,
          data: { ...merchantCreated.data, categoryId: null, isCertified: true },
        },
      ]);
  });

  it('refuses an unknown category and a blank name', () => {
    spec
      .given([])
      .when({ ...create, categoryExists: false })
      .thenError('CATEGORY_NOT_FOUND');
    spec
      .given([])
      .when({ ...create, name: ' ' })
      .thenError('VALIDATION_ERROR');
  });
});

describe('usage allow decider', () => {
  const spec = deciderSpec(usageAllowDecider);
  const allow = {
    type: 'AllowUsage' as const,
    ownerId: U1,
    ownerExists: true,
    merchantId: M1 as string | null,
    categoryId: null as string | null,
    targetExists: true,
    now: NOW,
  };

  it('records an allow once', () => {
    spec
      .given([])
      .when(allow)
      .then([allowed(M1, null)]);
    spec
      .given([allowed(M1, null)])
      .when(allow)
      .then([]);
    spec
      .given([allowed(M1, null)])
      .when({ ...allow, merchantId: null, categoryId: C1 })
      .then([allowed(null, C1)]);
    spec
      .given([allowed(null, C1)])
      .when({ ...allow, merchantId: null, categoryId: C1 })
      .then([]);
  });

  it('needs exactly one target', () => {
    spec
      .given([])
      .when({ ...allow, merchantId: null })
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when({ ...allow, categoryId: C1 })
      .thenError('VALIDATION_ERROR');
  });

  it('refuses an unknown owner (B11), merchant or category', () => {
    spec
      .given([])
      .when({ ...allow, ownerExists: false })
      .thenError('USER_NOT_FOUND');
    spec
      .given([])
      .when({ ...allow, targetExists: false })
      .thenError('MERCHANT_NOT_FOUND');
    spec
      .given([])
      .when({ ...allow, merchantId: null, categoryId: C1, targetExists: false })
      .thenError('CATEGORY_NOT_FOUND');
  });
});

describe('isUsageAllowed', () => {
  const fold = (events: UsageAllowEvent[]) =>
    events.reduce(usageAllowDecider.evolve, usageAllowDecider.initialState());
  const merchant: MerchantState = merchantDecider.evolve(
    merchantDecider.initialState(),
    merchantCreated,
  );

  it('allows the merchant, its own category, or a certified merchant', () => {
    expect(isUsageAllowed(fold([]), merchant)).toBe(false);
    expect(isUsageAllowed(fold([allowed(M1, null)]), merchant)).toBe(true);
    expect(isUsageAllowed(fold([allowed(null, C1)]), merchant)).toBe(true);
    expect(isUsageAllowed(fold([]), { ...merchant, isCertified: true })).toBe(true);
  });

  it('uses only the merchant’s own category (B12)', () => {
    expect(isUsageAllowed(fold([allowed(null, C2)]), merchant)).toBe(false);
    expect(isUsageAllowed(fold([allowed(null, C1)]), { ...merchant, categoryId: null })).toBe(
      false,
    );
    expect(isUsageAllowed(fold([allowed(M1, null)]), merchantDecider.initialState())).toBe(false);
  });
});
