/**
 * The mandate decider as given/when/then specs (KOBATELA-SPEC.md §3.1, §4.13; issue 6): created
 * ACTIVE with a future expiry and a positive total at the currency's scale; purchases only on an
 * ACTIVE mandate before its expiry, within its merchant and category, up to the total (the one
 * that reaches it also consumes the mandate); a consumed mandate answers the limit's code;
 * expiry only when ACTIVE and due, never twice; the cleanup record is written once.
 */
import { deciderSpec } from '../testing/decider-spec';
import type { MandateCommand } from './mandate.commands';
import { mandateCleanupDecider, mandateDecider, mandateIsUsable } from './mandate.decider';
import type { MandateEvent } from './mandate.events';

const spec = deciderSpec(mandateDecider);
const NOW = '2026-03-01T10:00:00.000Z';
const EXPIRES = '2026-04-01T00:00:00.000Z';
const AFTER = '2026-04-01T00:00:00.001Z';
const M = 'm1';

const created = (
  over: Partial<Extract<MandateEvent, { type: 'mandate.created.v1' }>['data']> = {},
): MandateEvent => ({
  type: 'mandate.created.v1',
  data: {
    mandateId: M,
    senderId: 's1',
    beneficiaryId: 'b1',
    totalAmount: '100.00',
    currency: 'USD',
    scale: 2,
    allowedCategoryId: null,
    allowedMerchantId: null,
    expiresAt: EXPIRES,
    createdAt: NOW,
    ...over,
  },
});

const create = (
  over: Partial<Extract<MandateCommand, { type: 'CreateMandate' }>> = {},
): MandateCommand => ({
  type: 'CreateMandate',
  mandateId: M,
  senderId: 's1',
  beneficiaryId: 'b1',
  totalAmount: '100.00',
  currency: 'USD',
  scale: 2,
  allowedCategoryId: null,
  allowedMerchantId: null,
  expiresAt: EXPIRES,
  now: NOW,
  ...over,
});

const buy = (
  amount: string,
  over: Partial<Extract<MandateCommand, { type: 'RecordPurchase' }>> = {},
): MandateCommand => ({
  type: 'RecordPurchase',
  mandateId: M,
  purchaseId: 'p1',
  merchantId: 'shop',
  categoryId: 'food',
  amount,
  currency: 'USD',
  now: NOW,
  ...over,
});

const recorded = (amount: string, after: string, purchaseId = 'p1'): MandateEvent => ({
  type: 'mandate.purchase_recorded.v1',
  data: {
    mandateId: M,
    purchaseId,
    senderId: 's1',
    beneficiaryId: 'b1',
    merchantId: 'shop',
    categoryId: 'food',
    amount,
    currency: 'USD',
    totalSpentAfter: after,
    recordedAt: NOW,
  },
});

const consumed: MandateEvent = {
  type: 'mandate.consumed.v1',
  data: { mandateId: M, totalSpent: '100.00', consumedAt: NOW },
};
const expired = (reason: 'cleanup' | 'scheduler' | 'replaced', at = AFTER): MandateEvent => ({
  type: 'mandate.expired.v1',
  data: { mandateId: M, expiredAt: at, reason },
});
const expire = (reason: 'cleanup' | 'scheduler' | 'replaced', now = AFTER): MandateCommand => ({
  type: 'ExpireMandate',
  mandateId: M,
  reason,
  now,
});

describe('mandate decider: create', () => {
  it('creates an ACTIVE mandate with the total at the currency scale', () => {
    spec
      .given([])
      .when(create({ totalAmount: '100' }))
      .then([created()]);
    const state = [created()].reduce(mandateDecider.evolve, mandateDecider.initialState());
    expect(state).toMatchObject({
      exists: true,
      status: 'ACTIVE',
      totalSpent: '0.00',
      totalAmount: '100.00',
    });
    expect(mandateIsUsable(state, NOW)).toBe(true);
    expect(mandateIsUsable(state, EXPIRES)).toBe(false);
  });

  it('refuses an expiry that is not in the future (422 MANDATE_EXPIRES_IN_PAST)', () => {
    spec
      .given([])
      .when(create({ expiresAt: NOW }))
      .thenError('MANDATE_EXPIRES_IN_PAST');
    spec
      .given([])
      .when(create({ expiresAt: '2026-02-01T00:00:00.000Z' }))
      .thenError('MANDATE_EXPIRES_IN_PAST');
  });

  it('refuses a total that is not positive or is too precise', () => {
    spec
      .given([])
      .when(create({ totalAmount: '0.00' }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(create({ totalAmount: '-1.00' }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(create({ totalAmount: '1.001' }))
      .thenError('AMOUNT_PRECISION');
  });

  it('creates once', () => {
    spec.given([created()]).when(create()).thenError('MANDATE_EXISTS');
  });
});

describe('mandate decider: purchases', () => {
  it('records a purchase with the sender and beneficiary of the mandate (B13)', () => {
    spec
      .given([created()])
      .when(buy('40.00'))
      .then([recorded('40.00', '40.00')]);
    spec
      .given([created({ currency: 'JPY', scale: 0, totalAmount: '500' })])
      .when(buy('5', { currency: 'JPY' }))
      .then([
        {
          type: 'mandate.purchase_recorded.v1',
          data: { ...(recorded('5', '5').data as object), currency: 'JPY' },
        } as MandateEvent,
      ]);
  });

  it('consumes the mandate with the purchase that reaches its total', () => {
    spec
      .given([created(), recorded('60.00', '60.00')])
      .when(buy('40.00', { purchaseId: 'p2' }))
      .then([recorded('40.00', '100.00', 'p2'), consumed]);
  });

  it('refuses a purchase past the total (409 MANDATE_LIMIT_EXCEEDED) and on a consumed mandate', () => {
    spec
      .given([created(), recorded('60.00', '60.00')])
      .when(buy('40.01'))
      .thenError('MANDATE_LIMIT_EXCEEDED');
    spec
      .given([created(), recorded('60.00', '60.00'), recorded('40.00', '100.00', 'p2'), consumed])
      .when(buy('0.01'))
      .thenError('MANDATE_LIMIT_EXCEEDED');
  });

  it('needs an ACTIVE mandate before its expiry, in the currency (403 MANDATE_REQUIRED)', () => {
    spec.given([]).when(buy('1.00')).thenError('MANDATE_REQUIRED');
    spec
      .given([created()])
      .when(buy('1.00', { now: EXPIRES }))
      .thenError('MANDATE_REQUIRED');
    spec
      .given([created(), expired('cleanup')])
      .when(buy('1.00'))
      .thenError('MANDATE_REQUIRED');
    spec
      .given([created()])
      .when(buy('1.00', { currency: 'EUR' }))
      .thenError('MANDATE_REQUIRED');
  });

  it('keeps to the merchant and category restrictions', () => {
    spec
      .given([created({ allowedMerchantId: 'other' })])
      .when(buy('1.00'))
      .thenError('MANDATE_MERCHANT_FORBIDDEN');
    spec
      .given([created({ allowedCategoryId: 'travel' })])
      .when(buy('1.00'))
      .thenError('MANDATE_CATEGORY_FORBIDDEN');
    spec
      .given([created({ allowedCategoryId: 'travel' })])
      .when(buy('1.00', { categoryId: null }))
      .thenError('MANDATE_CATEGORY_FORBIDDEN');
    spec
      .given([created({ allowedMerchantId: 'shop', allowedCategoryId: 'food' })])
      .when(buy('1.00'))
      .then([recorded('1.00', '1.00')]);
  });

  it('refuses amounts that are not positive or too precise', () => {
    spec.given([created()]).when(buy('0.00')).thenError('VALIDATION_ERROR');
    spec.given([created()]).when(buy('1.005')).thenError('AMOUNT_PRECISION');
  });
});

describe('mandate decider: expiry', () => {
  it('expires an ACTIVE mandate once it is due, with its reason', () => {
    spec
      .given([created()])
      .when(expire('cleanup', EXPIRES))
      .then([expired('cleanup', EXPIRES)]);
    spec
      .given([created()])
      .when(expire('scheduler'))
      .then([expired('scheduler')]);
    spec
      .given([created()])
      .when(expire('replaced'))
      .then([expired('replaced')]);
  });

  it('appends nothing for a mandate not yet due, consumed, or already expired', () => {
    spec.given([created()]).when(expire('cleanup', NOW)).then([]);
    spec
      .given([created(), recorded('100.00', '100.00'), consumed])
      .when(expire('cleanup'))
      .then([]);
    spec
      .given([created(), expired('cleanup')])
      .when(expire('scheduler'))
      .then([]);
  });

  it('knows no unknown mandate', () => {
    spec.given([]).when(expire('cleanup')).thenError('MANDATE_NOT_FOUND');
  });
});

describe('mandate cleanup record', () => {
  it('is written once with the count of what the cleanup expired', () => {
    const cleanup = deciderSpec(mandateCleanupDecider);
    const event = {
      type: 'mandate.cleanup_recorded.v1' as const,
      data: { cleanupId: 'c1', expired: 2, mandateIds: ['a', 'b'], recordedAt: NOW },
    };
    cleanup
      .given([])
      .when({ type: 'RecordCleanup', cleanupId: 'c1', mandateIds: ['a', 'b'], now: NOW })
      .then([event]);
    cleanup
      .given([event])
      .when({ type: 'RecordCleanup', cleanupId: 'c1', mandateIds: [], now: NOW })
      .then([]);
  });
});
