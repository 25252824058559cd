/**
 * Allowed payees and usage spends on the escrow stream (API-RULES.md §3; KOBATELA-SPEC §4.13):
 * allowing a payee (validation, duplicates, closed escrows), and every rule of a spend (payee,
 * daily limit per UTC day, total limit, held balance, closed escrow), decided together; a
 * failed spend still counts toward the limits, its retry does not count twice.
 */
import type { EscrowEvent } from './escrow.events';
import type { AllowPayee, Spend } from './escrow.commands';
import {
  E,
  NOW,
  byStatus,
  decideOn,
  draft,
  errorOf,
  fold,
  fundedBare,
  spec,
  terminal,
  usd,
} from '../testing/escrow-fixtures';

const allow = (over: Partial<AllowPayee> = {}): AllowPayee => ({
  type: 'AllowPayee',
  escrowId: E,
  payeeRef: 'payee-1',
  label: 'Corner shop',
  dailyLimit: null,
  totalLimit: null,
  now: NOW,
  ...over,
});

const spendCmd = (over: Partial<Spend> = {}): Spend => ({
  type: 'Spend',
  escrowId: E,
  paymentId: 'sp-1',
  payeeRef: 'payee-1',
  amount: '10.00',
  note: null,
  now: NOW,
  ...over,
});

const allowed = (
  dailyLimit: string | null,
  totalLimit: string | null,
  payeeRef = 'payee-1',
): EscrowEvent => ({
  type: 'payee.allowed.v1',
  data: {
    escrowId: E,
    payeeRef,
    label: 'Corner shop',
    currency: 'USD',
    dailyLimit,
    totalLimit,
    allowedAt: NOW,
  },
});

/** A spend's initiation as the decider writes it (held before → after). */
function spent(paymentId: string, amount: string, heldAfter: string, at = NOW): EscrowEvent {
  return usd
    .payment({ paymentId, kind: 'spend', amount })
    .initiated({ reason: 'usage_spend', heldAfter, at });
}

describe('allowing a payee', () => {
  it('records the payee with its limits at the currency scale', () => {
    spec
      .given(fundedBare)
      .when(allow({ dailyLimit: '50', totalLimit: '80.5' }))
      .then([allowed('50.00', '80.50')]);
  });

  it('works on a DRAFT escrow and without limits', () => {
    spec
      .given(draft)
      .when(allow())
      .then([allowed(null, null)]);
  });

  it('refuses a payee already allowed with 409 PAYEE_ALREADY_ALLOWED', () => {
    spec
      .given([...fundedBare, allowed(null, null)])
      .when(allow())
      .thenError('PAYEE_ALREADY_ALLOWED');
  });

  it.each([
    ['a ref too short', { payeeRef: 'x' }],
    ['a ref with a space', { payeeRef: 'corner shop' }],
    ['a ref too long', { payeeRef: 'x'.repeat(121) }],
    ['a blank label', { label: '  ' }],
    ['a label too short', { label: 'a' }],
    ['a zero daily limit', { dailyLimit: '0' }],
    ['a negative total limit', { totalLimit: '-1.00' }],
  ])('refuses %s with 422 VALIDATION_ERROR', (_name, over) => {
    spec.given(fundedBare).when(allow(over)).thenError('VALIDATION_ERROR');
  });

  it('refuses a limit with more decimals than the currency has (AMOUNT_PRECISION)', () => {
    spec
      .given(fundedBare)
      .when(allow({ dailyLimit: '1.001' }))
      .thenError('AMOUNT_PRECISION');
  });

  it('answers ESCROW_NOT_FOUND for an escrow that does not exist', () => {
    spec.given([]).when(allow()).thenError('ESCROW_NOT_FOUND');
  });

  it.each(terminal)('refuses on a %s escrow with ESCROW_CLOSED', (status) => {
    spec.given(byStatus[status]).when(allow()).thenError('ESCROW_CLOSED');
  });
});

describe('a usage spend', () => {
  const ready = [...fundedBare, allowed('30.00', '50.00')];

  it('initiates a spend payment to the payee out of the held balance', () => {
    spec
      .given(ready)
      .when(spendCmd())
      .then([spent('sp-1', '10.00', '90.00')]);
    const state = fold([...ready, ...decideOn(ready, spendCmd())]);
    expect(state).toMatchObject({ spent: '10.00', held: '90.00' });
    expect(state.payees[0]).toMatchObject({
      spentTotal: '10.00',
      spentByDay: { '2026-03-01': '10.00' },
    });
  });

  it('carries the client note on the payment', () => {
    const [event] = decideOn(ready, spendCmd({ note: 'groceries' }));
    expect(event).toMatchObject({
      data: { kind: 'spend', beneficiaryId: 'payee-1', note: 'groceries' },
    });
  });

  it('refuses a payee that is not allowed with 403 PAYEE_NOT_ALLOWED', () => {
    const err = errorOf(ready, spendCmd({ payeeRef: 'payee-2' }));
    expect(err).toMatchObject({ code: 'PAYEE_NOT_ALLOWED', kind: 'forbidden' });
  });

  it('allows the daily limit exactly, and refuses beyond it with DAILY_LIMIT_REACHED', () => {
    const first = [...ready, spent('sp-0', '20.00', '80.00')];
    spec
      .given(first)
      .when(spendCmd({ amount: '10.00' }))
      .then([spent('sp-1', '10.00', '70.00')]);
    spec
      .given(first)
      .when(spendCmd({ amount: '10.01' }))
      .thenError('DAILY_LIMIT_REACHED');
  });

  it('counts the daily limit per UTC day: the next day starts at zero', () => {
    const yesterday = [...ready, spent('sp-0', '30.00', '70.00', '2026-02-28T23:59:59.000Z')];
    spec
      .given(yesterday)
      .when(spendCmd({ amount: '10.00', now: '2026-02-28T23:59:59.500Z' }))
      .thenError('DAILY_LIMIT_REACHED');
    spec
      .given(yesterday)
      .when(spendCmd({ amount: '15.00' }))
      .then([spent('sp-1', '15.00', '55.00')]);
  });

  it('keeps each day its own total when a spend stamped the day before lands after one of the next day', () => {
    // A process whose clock lags appends a spend of 23:59 after one of 00:01 was appended.
    const crossed = [
      ...ready,
      spent('sp-a', '25.00', '75.00', '2026-03-01T00:01:00.000Z'),
      spent('sp-b', '20.00', '55.00', '2026-02-28T23:59:00.000Z'),
    ];
    expect(fold(crossed).payees[0]!.spentByDay).toEqual({
      '2026-02-28': '20.00',
      '2026-03-01': '25.00',
    });
    expect(fold(crossed).payees[0]!.spentTotal).toBe('45.00');
    const big = [
      ...fundedBare,
      allowed('30.00', null),
      spent('sp-a', '25.00', '75.00', '2026-03-01T00:01:00.000Z'),
      spent('sp-b', '20.00', '55.00', '2026-02-28T23:59:00.000Z'),
    ];
    spec
      .given(big)
      .when(spendCmd({ amount: '5.01', now: '2026-03-01T00:02:00.000Z' }))
      .thenError('DAILY_LIMIT_REACHED');
    spec
      .given(big)
      .when(spendCmd({ amount: '5.00', now: '2026-03-01T00:02:00.000Z' }))
      .then([spent('sp-1', '5.00', '50.00', '2026-03-01T00:02:00.000Z')]);
  });

  it('remembers the latest three days only', () => {
    const days = ['2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28'].map((d, i) =>
      spent(`sp-${i}`, '1.00', `${99 - i}.00`, `${d}T12:00:00.000Z`),
    );
    expect(
      Object.keys(fold([...fundedBare, allowed(null, null), ...days]).payees[0]!.spentByDay),
    ).toEqual(['2026-02-26', '2026-02-27', '2026-02-28']);
  });

  it('refuses beyond the total limit with TOTAL_LIMIT_REACHED, across days', () => {
    const earlier = [
      ...ready,
      spent('sp-a', '25.00', '75.00', '2026-02-27T10:00:00.000Z'),
      spent('sp-b', '20.00', '55.00', '2026-02-28T10:00:00.000Z'),
    ];
    spec
      .given(earlier)
      .when(spendCmd({ amount: '5.00' }))
      .then([spent('sp-1', '5.00', '50.00')]);
    spec
      .given(earlier)
      .when(spendCmd({ amount: '5.01' }))
      .thenError('TOTAL_LIMIT_REACHED');
  });

  it('refuses more than the escrow holds with INSUFFICIENT_ESCROW_BALANCE', () => {
    const partial = [
      ...draft,
      usd.depositInitiated('d1', '8.00'),
      usd.depositConfirmed('d1', '8.00', '8.00'),
      allowed(null, null),
    ];
    spec
      .given(partial)
      .when(spendCmd({ amount: '8.01' }))
      .thenError('INSUFFICIENT_ESCROW_BALANCE');
    spec
      .given(partial)
      .when(spendCmd({ amount: '8.00' }))
      .then([spent('sp-1', '8.00', '0.00')]);
  });

  it('checks the limits before the balance (a spend over both answers the limit)', () => {
    const poor = [
      ...draft,
      usd.depositInitiated('d1', '5.00'),
      usd.depositConfirmed('d1', '5.00', '5.00'),
      allowed('1.00', null),
    ];
    spec
      .given(poor)
      .when(spendCmd({ amount: '6.00' }))
      .thenError('DAILY_LIMIT_REACHED');
  });

  it.each(terminal)('refuses on a %s escrow with ESCROW_CLOSED', (status) => {
    spec
      .given([...byStatus[status]])
      .when(spendCmd())
      .thenError('ESCROW_CLOSED');
  });

  it.each([
    ['zero', '0', 'VALIDATION_ERROR'],
    ['negative', '-5.00', 'VALIDATION_ERROR'],
    ['over-precise', '1.001', 'AMOUNT_PRECISION'],
  ])('refuses a %s amount', (_name, amount, code) => {
    spec.given(ready).when(spendCmd({ amount })).thenError(code);
  });

  it('a failed spend still counts toward the limits; its retry is not counted again', () => {
    const p = usd.payment({ paymentId: 'sp-0', kind: 'spend', amount: '20.00' });
    const failedOnce = [...ready, spent('sp-0', '20.00', '80.00'), p.failed({ afterSent: false })];
    expect(fold(failedOnce).payees[0]).toMatchObject({
      spentTotal: '20.00',
      spentByDay: { '2026-03-01': '20.00' },
    });
    spec
      .given(failedOnce)
      .when(spendCmd({ amount: '10.01' }))
      .thenError('DAILY_LIMIT_REACHED');
    const retried = [
      ...failedOnce,
      ...decideOn(failedOnce, {
        type: 'RetryPayment',
        escrowId: E,
        paymentId: 'sp-0',
        retryPaymentId: 'sp-0r',
        now: NOW,
      }),
    ];
    const state = fold(retried);
    expect(state.payees[0]).toMatchObject({
      spentTotal: '20.00',
      spentByDay: { '2026-03-01': '20.00' },
    });
    expect(state.payments.find((x) => x.paymentId === 'sp-0r')).toMatchObject({
      kind: 'spend',
      beneficiaryId: 'payee-1',
    });
    expect(state).toMatchObject({ spent: '20.00', failed: '0.00', held: '80.00' });
  });

  it('spends never close the escrow, even when they take all it holds', () => {
    const events = decideOn([...fundedBare, allowed(null, null)], spendCmd({ amount: '100.00' }));
    expect(events.map((e) => e.type)).toEqual(['payment.initiated.v1']);
    expect(fold([...fundedBare, allowed(null, null), ...events])).toMatchObject({
      status: 'FUNDED',
      held: '0.00',
    });
  });
});
