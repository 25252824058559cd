/**
 * Mandate decider: created ACTIVE with nothing spent; a purchase is recorded only on an ACTIVE
 * mandate before its expiry, within its merchant and category restrictions, and while the total
 * spent stays within the total; the purchase that reaches the total also consumes it. Expiry
 * appends only for an ACTIVE mandate whose `expiresAt` has passed (so a stale to-do row, or a
 * repeated cleanup, appends nothing). CONSUMED and EXPIRED are terminal. Time arrives in the
 * command; an instant equal to `expiresAt` is already expired (the old service's `≤ now`).
 */
import { DomainError, Money, assert, parseInstant } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertFound, assertNew, decideByType } from '../decider-kit';
import { positiveAmount } from '../escrow/escrow.validate';
import type {
  CreateMandate,
  MandateCommand,
  RecordCleanup,
  RecordPurchase,
} from './mandate.commands';
import type {
  MandateCleanupEvent,
  MandateEvent,
  MandateExpiryReason,
  MandateStatus,
} from './mandate.events';

export interface MandateState {
  exists: boolean;
  mandateId: string;
  senderId: string;
  beneficiaryId: string;
  totalAmount: string;
  totalSpent: string;
  currency: string;
  scale: number;
  allowedCategoryId: string | null;
  allowedMerchantId: string | null;
  expiresAt: string;
  status: MandateStatus;
  expiredReason: MandateExpiryReason | null;
  purchases: number;
  createdAt: string;
  updatedAt: string;
}

/** Whether `now` is at or past the mandate's expiry. */
export function mandateIsPastExpiry(state: Pick<MandateState, 'expiresAt'>, now: string): boolean {
  return Date.parse(now) >= Date.parse(state.expiresAt);
}

/** ACTIVE and not yet past its expiry: the only state a purchase may use. */
export function mandateIsUsable(state: MandateState, now: string): boolean {
  return state.exists && state.status === 'ACTIVE' && !mandateIsPastExpiry(state, now);
}

export const mandateRequired = () =>
  new DomainError('MANDATE_REQUIRED', 'no active usage mandate covers this purchase', 'forbidden');

export const mandateDecider: Decider<MandateState, MandateCommand, MandateEvent> = {
  category: 'mandate',
  initialState: () => ({
    exists: false,
    mandateId: '',
    senderId: '',
    beneficiaryId: '',
    totalAmount: '0',
    totalSpent: '0',
    currency: '',
    scale: 0,
    allowedCategoryId: null,
    allowedMerchantId: null,
    expiresAt: '',
    status: 'ACTIVE',
    expiredReason: null,
    purchases: 0,
    createdAt: '',
    updatedAt: '',
  }),
  evolve(state, event) {
    switch (event.type) {
      case 'mandate.created.v1': {
        const d = event.data;
        return {
          ...state,
          exists: true,
          mandateId: d.mandateId,
          senderId: d.senderId,
          beneficiaryId: d.beneficiaryId,
          totalAmount: d.totalAmount,
          totalSpent: Money.zero(d.currency, d.scale).toString(),
          currency: d.currency,
          scale: d.scale,
          allowedCategoryId: d.allowedCategoryId,
          allowedMerchantId: d.allowedMerchantId,
          expiresAt: d.expiresAt,
          status: 'ACTIVE',
          createdAt: d.createdAt,
          updatedAt: d.createdAt,
        };
      }
      case 'mandate.purchase_recorded.v1':
        return {
          ...state,
          totalSpent: event.data.totalSpentAfter,
          purchases: state.purchases + 1,
          updatedAt: event.data.recordedAt,
        };
      case 'mandate.consumed.v1':
        return { ...state, status: 'CONSUMED', updatedAt: event.data.consumedAt };
      case 'mandate.expired.v1':
        return {
          ...state,
          status: 'EXPIRED',
          expiredReason: event.data.reason,
          updatedAt: event.data.expiredAt,
        };
      default:
        return state;
    }
  },
  decide: decideByType(
    {
      CreateMandate: decideCreate,
      RecordPurchase: decidePurchase,
      ExpireMandate(command, state) {
        assertFound(state, 'MANDATE_NOT_FOUND', 'mandate');
        if (state.status !== 'ACTIVE' || !mandateIsPastExpiry(state, command.now)) return [];
        return [
          {
            type: 'mandate.expired.v1',
            data: { mandateId: state.mandateId, expiredAt: command.now, reason: command.reason },
          },
        ];
      },
    },
    'mandate command',
  ),
};

function decideCreate(c: CreateMandate, state: MandateState): MandateEvent[] {
  assertNew(state, 'MANDATE_EXISTS', 'mandate');
  const total = positiveAmount(c.totalAmount, c.currency, c.scale, 'total_amount');
  if (Number.isNaN(parseInstant(c.expiresAt))) {
    throw new DomainError('VALIDATION_ERROR', 'expires_at is not a valid instant', 'invalid', {
      fields: { expires_at: ['must be an ISO 8601 date-time with a zone, up to year 9999'] },
    });
  }
  if (mandateIsPastExpiry({ expiresAt: c.expiresAt }, c.now)) {
    throw new DomainError(
      'MANDATE_EXPIRES_IN_PAST',
      'expires_at must be in the future',
      'invalid',
      { expires_at: c.expiresAt },
    );
  }
  return [
    {
      type: 'mandate.created.v1',
      data: {
        mandateId: c.mandateId,
        senderId: c.senderId,
        beneficiaryId: c.beneficiaryId,
        totalAmount: total.toString(),
        currency: c.currency,
        scale: c.scale,
        allowedCategoryId: c.allowedCategoryId,
        allowedMerchantId: c.allowedMerchantId,
        expiresAt: c.expiresAt,
        createdAt: c.now,
      },
    },
  ];
}

function decidePurchase(c: RecordPurchase, state: MandateState): MandateEvent[] {
  if (!state.exists || c.currency !== state.currency) throw mandateRequired();
  if (state.status === 'EXPIRED' || mandateIsPastExpiry(state, c.now)) throw mandateRequired();
  // Consumed: its total is spent, which is this purchase's real obstacle. A purchase that found
  // the mandate ACTIVE and queued behind the one that consumed it gets the limit's own answer.
  if (state.status === 'CONSUMED') throw limitExceeded(state, '0');
  if (state.allowedMerchantId !== null && state.allowedMerchantId !== c.merchantId) {
    throw new DomainError(
      'MANDATE_MERCHANT_FORBIDDEN',
      'this mandate does not allow this merchant',
      'forbidden',
    );
  }
  if (state.allowedCategoryId !== null && state.allowedCategoryId !== c.categoryId) {
    throw new DomainError(
      'MANDATE_CATEGORY_FORBIDDEN',
      "this mandate does not allow the merchant's category",
      'forbidden',
    );
  }
  const amount = positiveAmount(c.amount, state.currency, state.scale, 'amount');
  const total = Money.of(state.totalAmount, state.currency, state.scale);
  const after = Money.of(state.totalSpent, state.currency, state.scale).plus(amount);
  if (after.gt(total))
    throw limitExceeded(
      state,
      total.minus(Money.of(state.totalSpent, state.currency, state.scale)).toString(),
    );
  const events: MandateEvent[] = [
    {
      type: 'mandate.purchase_recorded.v1',
      data: {
        mandateId: state.mandateId,
        purchaseId: c.purchaseId,
        senderId: state.senderId,
        beneficiaryId: state.beneficiaryId,
        merchantId: c.merchantId,
        categoryId: c.categoryId,
        amount: amount.toString(),
        currency: state.currency,
        totalSpentAfter: after.toString(),
        recordedAt: c.now,
      },
    },
  ];
  if (after.equals(total)) {
    events.push({
      type: 'mandate.consumed.v1',
      data: { mandateId: state.mandateId, totalSpent: after.toString(), consumedAt: c.now },
    });
  }
  assert(!after.isNegative(), 'a mandate total spent went negative');
  return events;
}

function limitExceeded(state: MandateState, remaining: string): DomainError {
  return new DomainError(
    'MANDATE_LIMIT_EXCEEDED',
    'this purchase would pass the mandate total',
    'conflict',
    {
      remaining: Money.of(remaining, state.currency, state.scale).toString(),
      currency: state.currency,
    },
  );
}

export interface MandateCleanupState {
  exists: boolean;
  cleanupId: string;
  expired: number;
  mandateIds: string[];
}

/** One record per keyed `POST /mandates/cleanup`: written once, after the expiries it counts. */
export const mandateCleanupDecider: Decider<
  MandateCleanupState,
  RecordCleanup,
  MandateCleanupEvent
> = {
  category: 'mandate_cleanup',
  initialState: () => ({ exists: false, cleanupId: '', expired: 0, mandateIds: [] }),
  evolve(state, event) {
    if (event.type !== 'mandate.cleanup_recorded.v1') return state;
    return {
      exists: true,
      cleanupId: event.data.cleanupId,
      expired: event.data.expired,
      mandateIds: event.data.mandateIds,
    };
  },
  decide(command, state) {
    if (state.exists) return [];
    return [
      {
        type: 'mandate.cleanup_recorded.v1',
        data: {
          cleanupId: command.cleanupId,
          expired: command.mandateIds.length,
          mandateIds: command.mandateIds,
          recordedAt: command.now,
        },
      },
    ];
  },
};
