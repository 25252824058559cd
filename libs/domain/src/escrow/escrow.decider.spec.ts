/**
 * The escrow decider's entry rules as given/when/then specs: creation, deposits (synchronous and
 * webhook confirmation, PSP decline, failure, the pending cap, funding at exactly the total, money
 * the PSP collected after the escrow closed or filled up: confirmation and refund in one
 * decision), milestones (before any payout), delivery, in USD (scale 2), JPY (0) and KWD (3), with
 * the deposit, add-milestone and mark-delivered rows of API-RULES.md §2 in every escrow state; and
 * the state fold and balance invariants (`assertBalances`). Payouts, closing and deadlines are in
 * `escrow.closing.spec.ts`, the payment lifecycle in `escrow.payments.spec.ts`.
 */
import { AssertionError } from '@kob/kernel';
import type { EscrowCommand } from './escrow.commands';
import { escrowDecider } from './escrow.decider';
import { assertBalances } from './escrow.rules';
import type { EscrowEvent } from './escrow.events';
import type { EscrowState, EscrowStatus } from './escrow.state';
import {
  E,
  NOW,
  byStatus,
  cancelled,
  cmd,
  decideOn,
  draft,
  draftPartial,
  errorOf,
  eventsIn,
  fold,
  funded,
  fundedBare,
  m1,
  m2,
  refunded,
  releasable,
  released,
  spec,
  terminal,
  usd,
} from '../testing/escrow-fixtures';

const jpy = eventsIn('JPY', 0);
const kwd = eventsIn('KWD', 3);

describe('escrow decider: create', () => {
  it('creates a DRAFT escrow with the defaults written out and other conditions kept', () => {
    spec
      .given([])
      .when(cmd.create({ releaseConditions: { note: 'keep me', nested: { a: 1 } } }))
      .then([
        usd.created({
          releaseConditions: { note: 'keep me', nested: { a: 1 }, on_deadline: 'release' },
        }),
      ]);
    expect(fold(draft).status).toBe('DRAFT');
  });

  it('accepts every on_deadline value and domain, and refuses anything else with 422', () => {
    for (const onDeadline of ['release', 'refund', 'none'] as const) {
      spec
        .given([])
        .when(cmd.create({ releaseConditions: { on_deadline: onDeadline }, domain: 'aid' }))
        .then([usd.created({ releaseConditions: { on_deadline: onDeadline }, domain: 'aid' })]);
    }
    spec
      .given([])
      .when(cmd.create({ domain: 'public' }))
      .then([usd.created({ domain: 'public' })]);
    const bad = [
      { releaseConditions: { on_deadline: 'later' } },
      { releaseConditions: { on_deadline: null } },
      { releaseConditions: [] },
      { releaseConditions: null },
      { releaseConditions: 'release' },
      { domain: 'state' },
      { currency: 'usd' },
      { amountTotal: '0.00' },
      { amountTotal: '-1.00' },
      { amountTotal: 'ten' },
      { deadlineAt: '2026-04-01T00:00:00' },
      { deadlineAt: 'tomorrow' },
    ];
    for (const over of bad) spec.given([]).when(cmd.create(over)).thenError('VALIDATION_ERROR');
  });

  it('refuses a deadline that is not a calendar date instead of rolling it over', () => {
    // Date.parse reads 2026-02-30 as 2026-03-02: the deadline would silently move.
    spec
      .given([])
      .when(cmd.create({ deadlineAt: '2026-02-30T00:00:00Z' }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(cmd.create({ deadlineAt: '2026-04-31T12:00:00+02:00' }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(cmd.create({ deadlineAt: '2028-02-29T00:00:00Z' }))
      .then([usd.created({ deadlineAt: '2028-02-29T00:00:00Z' })]);
  });

  it('keeps amounts at the currency scale: USD 2, JPY 0, KWD 3', () => {
    spec
      .given([])
      .when(cmd.create({ amountTotal: '100.001' }))
      .thenError('AMOUNT_PRECISION');
    spec
      .given([])
      .when(cmd.create({ amountTotal: '5000', currency: 'JPY', scale: 0 }))
      .then([jpy.created({ amountTotal: '5000' })]);
    spec
      .given([])
      .when(cmd.create({ amountTotal: '5000.5', currency: 'JPY', scale: 0 }))
      .thenError('AMOUNT_PRECISION');
    spec
      .given([])
      .when(cmd.create({ amountTotal: '1.25', currency: 'KWD', scale: 3 }))
      .then([kwd.created({ amountTotal: '1.250' })]);
    spec
      .given([])
      .when(cmd.create({ amountTotal: '1.2501', currency: 'KWD', scale: 3 }))
      .thenError('AMOUNT_PRECISION');
  });

  it('refuses to create an escrow that exists, in every state', () => {
    for (const events of Object.values(byStatus)) {
      spec.given(events).when(cmd.create()).thenError('ESCROW_EXISTS');
    }
  });
});

describe('escrow decider: deposits', () => {
  it('initiates a pending deposit that does not count until confirmed', () => {
    spec
      .given(draft)
      .when(cmd.deposit('d1', '30.00'))
      .then([usd.depositInitiated('d1', '30.00')]);
    const state = fold([...draft, usd.depositInitiated('d1', '30.00')]);
    expect([state.deposited, state.pending, state.held, state.status]).toEqual([
      '0.00',
      '30.00',
      '0.00',
      'DRAFT',
    ]);
  });

  it('keeps the PSP reference an initiation carried (events recorded before the intent came first)', () => {
    const old = { ...usd.depositInitiated('d1', '30.00', 'PSP-77') };
    expect(fold([...draft, old]).deposits[0]).toMatchObject({
      status: 'PENDING',
      pspRef: 'PSP-77',
    });
  });

  it('records a synchronous PSP confirmation in the same decision, with the held balance after it', () => {
    spec
      .given(draft)
      .when(cmd.depositCollected('d1', '30'))
      .then([usd.depositInitiated('d1', '30.00'), usd.depositConfirmed('d1', '30.00', '30.00')]);
    spec
      .given(draftPartial)
      .when(cmd.depositCollected('d2', '20.00'))
      .then([usd.depositInitiated('d2', '20.00'), usd.depositConfirmed('d2', '20.00', '70.00')]);
  });

  it('credits a confirmation in hand only at the amount and currency the PSP reports', () => {
    const collected = (reported: { amount: string | null; currency: string | null }) =>
      cmd.deposit('d1', '30.00', { pspConfirmed: { pspRef: 'psp-d1', reported } });
    spec
      .given(draft)
      .when(collected({ amount: '30', currency: 'usd' }))
      .then([usd.depositInitiated('d1', '30.00'), usd.depositConfirmed('d1', '30.00', '30.00')]);
    for (const reported of [
      { amount: '29.99', currency: 'USD' },
      { amount: '30.00', currency: 'EUR' },
      { amount: null, currency: 'USD' },
      { amount: '30.00', currency: null },
      { amount: '3e1', currency: 'USD' },
      { amount: '-30.00', currency: 'USD' },
    ]) {
      spec.given(draft).when(collected(reported)).thenError('DEPOSIT_AMOUNT_MISMATCH');
    }
    expect(errorOf(draft, collected({ amount: '29.99', currency: 'USD' })).details).toEqual({
      depositId: 'd1',
      asked: { amount: '30.00', currency: 'USD' },
      reported: { amount: '29.99', currency: 'USD' },
    });
  });

  it('funds exactly at the total, in USD, JPY and KWD', () => {
    const part = [
      ...draft,
      usd.depositInitiated('d1', '60.00'),
      usd.depositConfirmed('d1', '60.00', '60.00'),
    ];
    spec
      .given(part)
      .when(cmd.depositCollected('d2', '40.00'))
      .then([
        usd.depositInitiated('d2', '40.00'),
        usd.depositConfirmed('d2', '40.00', '100.00'),
        usd.funded('100.00'),
      ]);
    const jpyDraft = [jpy.created({ amountTotal: '5000' })];
    spec
      .given(jpyDraft)
      .when(cmd.depositCollected('d1', '5000', 'JPY'))
      .then([
        jpy.depositInitiated('d1', '5000'),
        jpy.depositConfirmed('d1', '5000', '5000'),
        jpy.funded('5000'),
      ]);
    spec
      .given(jpyDraft)
      .when(cmd.depositCollected('d1', '1.5', 'JPY'))
      .thenError('AMOUNT_PRECISION');
    const kwdPart = [
      kwd.created({ amountTotal: '1.250' }),
      kwd.depositInitiated('d1', '1.249'),
      kwd.depositConfirmed('d1', '1.249', '1.249'),
    ];
    spec
      .given(kwdPart)
      .when(cmd.depositCollected('d2', '0.001', 'KWD'))
      .then([
        kwd.depositInitiated('d2', '0.001'),
        kwd.depositConfirmed('d2', '0.001', '1.250'),
        kwd.funded('1.250'),
      ]);
    spec.given(kwdPart).when(cmd.deposit('d2', '0.002')).thenError('DEPOSIT_EXCEEDS_TOTAL');
    expect(fold(funded).status).toBe('FUNDED');
  });

  it('counts pending deposits toward the cap, down to one minor unit', () => {
    const pending60 = [...draft, usd.depositInitiated('d1', '60.00')];
    spec.given(pending60).when(cmd.deposit('d2', '40.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
    spec
      .given(pending60)
      .when(cmd.deposit('d2', '40.00'))
      .then([usd.depositInitiated('d2', '40.00')]);
    // Funded only when confirmed: the pending 60 keeps the escrow DRAFT.
    spec
      .given(pending60)
      .when(cmd.depositCollected('d2', '40.00'))
      .then([usd.depositInitiated('d2', '40.00'), usd.depositConfirmed('d2', '40.00', '40.00')]);
    spec.given(draft).when(cmd.deposit('d1', '100.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
  });

  it('names the total, what is kept, what is pending and the amount when it refuses', () => {
    const given = [...draftPartial, usd.depositInitiated('d2', '30.00')];
    expect(errorOf(given, cmd.deposit('d3', '20.01')).details).toEqual({
      amountTotal: '100.00',
      deposited: '50.00',
      pending: '30.00',
      amount: '20.01',
    });
  });

  it('refuses bad amounts with 422', () => {
    spec.given(draft).when(cmd.deposit('d1', '0.00')).thenError('VALIDATION_ERROR');
    spec.given(draft).when(cmd.deposit('d1', '-5.00')).thenError('VALIDATION_ERROR');
    spec.given(draft).when(cmd.deposit('d1', '1.005')).thenError('AMOUNT_PRECISION');
  });

  it('covers the deposit row of §2 in every state', () => {
    spec.given([]).when(cmd.deposit('d1', '1.00')).thenError('ESCROW_NOT_FOUND');
    spec
      .given(byStatus.DRAFT)
      .when(cmd.deposit('d2', '50.00'))
      .then([usd.depositInitiated('d2', '50.00')]);
    // Pending deposits count toward the cap, so any deposit on FUNDED/RELEASABLE is above it.
    spec.given(byStatus.FUNDED).when(cmd.deposit('d2', '0.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
    spec
      .given(byStatus.RELEASABLE)
      .when(cmd.deposit('d2', '0.01'))
      .thenError('DEPOSIT_EXCEEDS_TOTAL');
    for (const status of terminal) {
      spec.given(byStatus[status]).when(cmd.deposit('d2', '1.00')).thenError('ESCROW_CLOSED');
    }
    expect(errorOf(cancelled, cmd.deposit('d2', '1.00')).details).toEqual({ status: 'CANCELLED' });
  });

  it('appends nothing for a deposit id already on the stream (a replay), even once closed', () => {
    spec
      .given([...draft, usd.depositInitiated('d1', '30.00')])
      .when(cmd.deposit('d1', '30.00'))
      .then([]);
    spec.given(cancelled).when(cmd.depositCollected('d1', '50.00')).then([]);
  });
});

describe('escrow decider: money the PSP collected that the escrow cannot keep', () => {
  const refundOf = (depositId: string, amount: string) =>
    usd.payment({ paymentId: `refund-${depositId}`, kind: 'refund', amount });

  it('refunds a collection that arrives after the close in the same decision (afterClose)', () => {
    for (const status of terminal) {
      spec
        .given(byStatus[status])
        .when(cmd.depositCollected('d2', '30.00'))
        .then([
          usd.depositInitiated('d2', '30.00'),
          usd.depositConfirmed('d2', '30.00', '30.00', { afterClose: true }),
          refundOf('d2', '30.00').initiated({
            reason: 'deposit_after_close',
            heldAfter: '0.00',
            depositId: 'd2',
          }),
        ]);
    }
  });

  it('refunds a collection above the total on FUNDED and RELEASABLE (aboveTotal)', () => {
    for (const events of [funded, releasable]) {
      spec
        .given(events)
        .when(cmd.depositCollected('d2', '0.01'))
        .then([
          usd.depositInitiated('d2', '0.01'),
          usd.depositConfirmed('d2', '0.01', '100.01', { aboveTotal: true }),
          refundOf('d2', '0.01').initiated({
            reason: 'deposit_above_total',
            heldAfter: '100.00',
            depositId: 'd2',
          }),
        ]);
    }
  });

  it('refunds a DRAFT collection that kept and pending deposits push above the total', () => {
    // The 30.00 pending was initiated between the rules check and the PSP's answer.
    const given = [...draftPartial, usd.depositInitiated('d2', '30.00')];
    spec
      .given(given)
      .when(cmd.depositCollected('d3', '30.00'))
      .then([
        usd.depositInitiated('d3', '30.00'),
        usd.depositConfirmed('d3', '30.00', '80.00', { aboveTotal: true }),
        refundOf('d3', '30.00').initiated({
          reason: 'deposit_above_total',
          heldAfter: '50.00',
          depositId: 'd3',
        }),
      ]);
    // Exactly at the total with the pending one counted: kept, not funded until d2 arrives.
    spec
      .given(given)
      .when(cmd.depositCollected('d3', '20.00'))
      .then([usd.depositInitiated('d3', '20.00'), usd.depositConfirmed('d3', '20.00', '70.00')]);
  });

  it('folds a deposit recorded beyond the cap (before issue 12), and refunds it if it arrives', () => {
    const beyond = (depositId: string, amount: string, pspRef?: string): EscrowEvent => {
      const e = usd.depositInitiated(depositId, amount);
      return {
        ...e,
        data: { ...e.data, ...(pspRef ? { pspRef } : {}), beyondCap: true },
      } as EscrowEvent;
    };
    // Recorded so by the service before the intent came first (issue 12); only folded now.
    spec.given(cancelled).when(cmd.deposit('d2', '30.00')).thenError('ESCROW_CLOSED');
    const waiting = [...draftPartial, beyond('d2', '80.00')];
    const state = fold(waiting);
    expect([state.pending, state.pendingBeyondCap]).toEqual(['80.00', '80.00']);
    expect(() => assertBalances(state)).not.toThrow();
    // It does not count toward the total: the room left is still 50.00.
    spec
      .given(waiting)
      .when(cmd.deposit('d3', '50.00'))
      .then([usd.depositInitiated('d3', '50.00')]);
    // Confirmed later: kept if there is room by then, here refunded as above the total.
    spec
      .given(waiting)
      .when(cmd.confirm('d2', '80.00'))
      .then([
        usd.depositConfirmed('d2', '80.00', '130.00', { aboveTotal: true }),
        refundOf('d2', '80.00').initiated({
          reason: 'deposit_above_total',
          heldAfter: '50.00',
          depositId: 'd2',
        }),
      ]);
    const failedLater = fold([...waiting, usd.depositFailed('d2', '80.00')]);
    expect([failedLater.pending, failedLater.pendingBeyondCap]).toEqual(['0.00', '0.00']);
  });

  it('records the refunded deposit in the state: deposited and returned, nothing held', () => {
    const events = [...cancelled, ...decideOn(cancelled, cmd.depositCollected('d2', '30.00'))];
    const state = fold(events);
    expect(state).toMatchObject({
      status: 'CANCELLED',
      deposited: '80.00',
      returned: '30.00',
      refunded: '80.00',
      held: '0.00',
    });
    expect(state.deposits.find((d) => d.depositId === 'd2')).toMatchObject({
      status: 'CONFIRMED',
      afterClose: true,
      refundPaymentId: 'refund-d2',
    });
    const above = [...funded, ...decideOn(funded, cmd.depositCollected('d2', '5.00'))];
    expect(fold(above)).toMatchObject({
      status: 'FUNDED',
      deposited: '105.00',
      returned: '5.00',
      refunded: '5.00',
      held: '100.00',
    });
  });
});

describe('escrow decider: deposit confirmation and failure (webhook path)', () => {
  const pending = [...draft, usd.depositInitiated('d1', '60.00')];

  it('confirms a pending deposit, and funds when it completes the total', () => {
    spec
      .given(pending)
      .when(cmd.confirm('d1', '60.00'))
      .then([usd.depositConfirmed('d1', '60.00', '60.00')]);
    const full = [
      ...pending,
      usd.depositInitiated('d2', '40.00'),
      usd.depositConfirmed('d2', '40.00', '40.00'),
    ];
    spec
      .given(full)
      .when(cmd.confirm('d1', '60.00'))
      .then([usd.depositConfirmed('d1', '60.00', '100.00'), usd.funded('100.00')]);
    spec
      .given(pending)
      .when(cmd.confirm('d1', '60.00', { pspRef: ' ' }))
      .thenError('VALIDATION_ERROR');
  });

  it('records the reference a PSP gives when asked again for a deposit it left unanswered', () => {
    const record = (pspRef: string, depositId = 'd1') =>
      ({ type: 'RecordDepositReference', escrowId: E, depositId, pspRef, now: NOW }) as const;
    const recorded = {
      type: 'escrow.deposit_reference_recorded.v1',
      data: { escrowId: E, depositId: 'd1', currency: 'USD', pspRef: 'psp-late', recordedAt: NOW },
    } as const;
    spec.given(pending).when(record('psp-late')).then([recorded]);
    const withRef = [...pending, recorded];
    expect(fold(withRef).deposits[0]).toMatchObject({ status: 'PENDING', pspRef: 'psp-late' });
    // The same reference again is a no-op; another one for the same deposit is refused.
    spec.given(withRef).when(record('psp-late')).then([]);
    spec.given(withRef).when(record('psp-other')).thenError('PSP_REFERENCE_MISMATCH');
    spec.given(pending).when(record('psp-late', 'd9')).thenError('DEPOSIT_NOT_FOUND');
    spec
      .given([...pending, usd.depositFailed('d1', '60.00')])
      .when(record('psp-late'))
      .thenError('INVALID_STATE_TRANSITION');
    // The webhook's confirmation then finds it like any other pending deposit.
    spec
      .given(withRef)
      .when(cmd.confirm('d1', '60.00'))
      .then([usd.depositConfirmed('d1', '60.00', '60.00')]);
  });

  it('fails a pending deposit, which frees its room under the cap', () => {
    spec
      .given(pending)
      .when(cmd.failDeposit('d1'))
      .then([usd.depositFailed('d1', '60.00')]);
    const afterFail = [...pending, usd.depositFailed('d1', '60.00')];
    expect(fold(afterFail).pending).toBe('0.00');
    spec
      .given(afterFail)
      .when(cmd.deposit('d2', '100.00'))
      .then([usd.depositInitiated('d2', '100.00')]);
  });

  it('refuses a confirmation whose reported amount or currency is not the one asked for', () => {
    for (const reported of [
      { amount: '59.99', currency: 'USD' },
      { amount: '60.01', currency: 'USD' },
      { amount: '60.00', currency: 'JPY' },
      { amount: null, currency: null },
      { amount: '', currency: 'USD' },
      { amount: '6e1', currency: 'USD' },
      { amount: '60.00', currency: 'uſd' },
    ]) {
      spec
        .given(pending)
        .when(cmd.confirm('d1', '60.00', { reported }))
        .thenError('DEPOSIT_AMOUNT_MISMATCH');
    }
    spec
      .given(pending)
      .when(cmd.confirm('d1', '60'))
      .then([usd.depositConfirmed('d1', '60.00', '60.00')]);
    spec
      .given(pending)
      .when(cmd.confirm('d1', '60.000'))
      .then([usd.depositConfirmed('d1', '60.00', '60.00')]);
  });

  it('moves only PENDING deposits: repeats append nothing, crossings are refused', () => {
    const done = [...pending, usd.depositConfirmed('d1', '60.00', '60.00')];
    spec.given(done).when(cmd.confirm('d1', '60.00')).then([]);
    spec.given(done).when(cmd.failDeposit('d1')).thenError('INVALID_STATE_TRANSITION');
    const lost = [...pending, usd.depositFailed('d1', '60.00')];
    spec.given(lost).when(cmd.failDeposit('d1')).then([]);
    spec.given(lost).when(cmd.confirm('d1', '60.00')).thenError('INVALID_STATE_TRANSITION');
    expect(errorOf(lost, cmd.confirm('d1', '60.00')).details).toEqual({
      action: 'confirm-deposit',
      from: 'FAILED',
      to: 'CONFIRMED',
    });
  });

  it('refuses unknown deposits and escrows with 404', () => {
    spec.given(pending).when(cmd.confirm('d9', '60.00')).thenError('DEPOSIT_NOT_FOUND');
    spec.given(pending).when(cmd.failDeposit('d9')).thenError('DEPOSIT_NOT_FOUND');
    spec.given([]).when(cmd.confirm('d1', '60.00')).thenError('ESCROW_NOT_FOUND');
  });

  it('records a confirmation after close and refunds it in the same decision, never funding', () => {
    const closedWithPending = [
      ...pending,
      usd.cancelled('deadline', {
        refundsDue: [],
        refundTotal: '0.00',
        refundPaymentId: null,
        pendingDepositIds: ['d1'],
      }),
    ];
    const refund = usd.payment({ paymentId: 'refund-d1', kind: 'refund', amount: '60.00' });
    spec
      .given(closedWithPending)
      .when(cmd.confirm('d1', '60.00'))
      .then([
        usd.depositConfirmed('d1', '60.00', '60.00', { afterClose: true }),
        refund.initiated({ reason: 'deposit_after_close', heldAfter: '0.00', depositId: 'd1' }),
      ]);
    const state = fold([
      ...closedWithPending,
      ...decideOn(closedWithPending, cmd.confirm('d1', '60.00')),
    ]);
    expect(state).toMatchObject({
      status: 'CANCELLED',
      deposited: '60.00',
      pending: '0.00',
      returned: '60.00',
      refunded: '60.00',
      held: '0.00',
    });
    spec
      .given(closedWithPending)
      .when(cmd.failDeposit('d1'))
      .then([usd.depositFailed('d1', '60.00')]);
  });
});

describe('escrow decider: milestones', () => {
  it('adds a WAITING milestone with defaults, in DRAFT and FUNDED', () => {
    const add = cmd.addMilestone({
      milestoneId: 'm1',
      label: 'Foundations',
      amount: '40.00',
      sequenceIndex: 1,
    });
    spec.given(draft).when(add).then([usd.milestone()]);
    spec.given(fundedBare).when(add).then([usd.milestone()]);
    const geofence = { lat: -90, lng: 180, radiusM: 0.5 };
    const full = { ...add, proofKind: 'INVOICE', proofRequirements: { vendor: 'x' }, geofence };
    spec
      .given(draft)
      .when(full)
      .then([
        usd.milestone({ proofKind: 'INVOICE', proofRequirements: { vendor: 'x' }, geofence }),
      ]);
  });

  it('adds a kind-less milestone without proof_kind, and reads kinds case-insensitively', () => {
    const add = cmd.addMilestone({
      milestoneId: 'm1',
      label: 'Foundations',
      amount: '40.00',
      sequenceIndex: 1,
    });
    for (const none of [undefined, null]) {
      spec
        .given(draft)
        .when({ ...add, proofKind: none })
        .then([usd.milestone({ proofKind: null })]);
    }
    for (const [sent, kind] of [
      ['invoice', 'INVOICE'],
      ['Document', 'DOCUMENT'],
      ['photo', 'PHOTO'],
    ] as const) {
      spec
        .given(draft)
        .when({ ...add, proofKind: sent })
        .then([usd.milestone({ proofKind: kind })]);
    }
  });

  it('refuses malformed fields with 422', () => {
    const bad = [
      { label: '' },
      { label: '   ' },
      { label: 'x'.repeat(256) },
      { amount: '0.00' },
      { amount: '-1.00' },
      { sequenceIndex: 0 },
      { sequenceIndex: 1.5 },
      { proofKind: 'VIDEO' },
      { proofRequirements: [] },
      { proofRequirements: 'photo' },
      { currency: 'usd' },
      { geofence: { lat: 90.01, lng: 0, radiusM: 10 } },
      { geofence: { lat: 0, lng: -180.01, radiusM: 10 } },
      { geofence: { lat: 0, lng: 0, radiusM: 0 } },
      { geofence: { lat: 0, lng: 0, radiusM: -1 } },
      { geofence: { lat: Number.NaN, lng: 0, radiusM: 1 } },
    ];
    for (const over of bad) {
      spec.given(draft).when(cmd.addMilestone(over)).thenError('VALIDATION_ERROR');
    }
    spec
      .given(draft)
      .when(cmd.addMilestone({ label: 'x'.repeat(255) }))
      .then([
        usd.milestone({
          milestoneId: 'm9',
          label: 'x'.repeat(255),
          amount: '10.00',
          sequenceIndex: 9,
        }),
      ]);
    spec
      .given(draft)
      .when(cmd.addMilestone({ amount: '1.001' }))
      .thenError('AMOUNT_PRECISION');
  });

  it('enforces currency, unique sequence and the total (equality allowed)', () => {
    spec
      .given(draft)
      .when(cmd.addMilestone({ currency: 'EUR' }))
      .thenError('MILESTONE_CURRENCY_MISMATCH');
    const one = [...draft, m1];
    spec
      .given(one)
      .when(cmd.addMilestone({ milestoneId: 'm2', sequenceIndex: 1 }))
      .thenError('MILESTONE_SEQUENCE_EXISTS');
    const second = { milestoneId: 'm2', label: 'Roof', sequenceIndex: 2, amount: '60.00' };
    spec.given(one).when(cmd.addMilestone(second)).then([m2]);
    spec
      .given(one)
      .when(cmd.addMilestone({ ...second, amount: '60.01' }))
      .thenError('MILESTONE_TOTAL_EXCEEDED');
  });

  it('sums milestones at scale 0 and 3', () => {
    const jpyDraft = [jpy.created({ amountTotal: '5000' })];
    const m = { currency: 'JPY', amount: '5000' };
    spec
      .given(jpyDraft)
      .when(cmd.addMilestone(m))
      .then([
        jpy.milestone({ milestoneId: 'm9', label: 'Extra', amount: '5000', sequenceIndex: 9 }),
      ]);
    spec
      .given(jpyDraft)
      .when(cmd.addMilestone({ ...m, amount: '5001' }))
      .thenError('MILESTONE_TOTAL_EXCEEDED');
    spec
      .given(jpyDraft)
      .when(cmd.addMilestone({ ...m, amount: '10.5' }))
      .thenError('AMOUNT_PRECISION');
    const kwdDraft = [kwd.created({ amountTotal: '1.250' })];
    const k = { currency: 'KWD', amount: '1.25' };
    spec
      .given(kwdDraft)
      .when(cmd.addMilestone(k))
      .then([
        kwd.milestone({ milestoneId: 'm9', label: 'Extra', amount: '1.250', sequenceIndex: 9 }),
      ]);
    spec
      .given(kwdDraft)
      .when(cmd.addMilestone({ ...k, amount: '1.251' }))
      .thenError('MILESTONE_TOTAL_EXCEEDED');
  });

  it('covers the add-milestone row of §2 in every state', () => {
    spec.given([]).when(cmd.addMilestone()).thenError('ESCROW_NOT_FOUND');
    const added = usd.milestone({
      milestoneId: 'm9',
      label: 'Extra',
      amount: '10.00',
      sequenceIndex: 9,
    });
    spec.given(draft).when(cmd.addMilestone()).then([added]);
    spec.given(fundedBare).when(cmd.addMilestone()).then([added]);
    const err = errorOf(byStatus.RELEASABLE, cmd.addMilestone());
    expect([err.code, err.details]).toEqual([
      'INVALID_STATE_TRANSITION',
      {
        action: 'add-milestone',
        from: 'RELEASABLE',
        to: 'RELEASABLE',
        allowedFrom: ['DRAFT', 'FUNDED'],
      },
    ]);
    for (const status of terminal) {
      spec.given(byStatus[status]).when(cmd.addMilestone()).thenError('ESCROW_CLOSED');
    }
  });

  it('refuses a milestone once any payout exists, in DRAFT and FUNDED', () => {
    const payout = usd.payment({
      paymentId: 'pay-m1',
      kind: 'payout',
      amount: '40.00',
      milestoneId: 'm1',
    });
    const fundedM1 = [...fundedBare, m1];
    const paying = [
      ...fundedM1,
      usd.approved('m1', 'release'),
      payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
    ];
    const err = errorOf(paying, cmd.addMilestone());
    expect([err.code, err.details]).toEqual([
      'INVALID_STATE_TRANSITION',
      { action: 'add-milestone', from: 'FUNDED', to: 'FUNDED', allowedFrom: ['DRAFT', 'FUNDED'] },
    ]);
    // Even a payout that failed was a payout.
    spec
      .given([...paying, payout.failed({ afterSent: false })])
      .when(cmd.addMilestone())
      .thenError('INVALID_STATE_TRANSITION');
    const draftPaying = [
      ...draftPartial,
      usd.approved('m1', 'release'),
      payout.initiated({ reason: 'milestone_release', heldAfter: '10.00' }),
    ];
    spec
      .given(draftPaying)
      .when(cmd.addMilestone({ amount: '0.01' }))
      .thenError('INVALID_STATE_TRANSITION');
    // A refund is not a payout: the milestone may still be added.
    const withRefund = [...fundedBare, ...decideOn(fundedBare, cmd.depositCollected('d2', '5.00'))];
    spec
      .given(withRefund)
      .when(cmd.addMilestone())
      .then([
        usd.milestone({ milestoneId: 'm9', label: 'Extra', amount: '10.00', sequenceIndex: 9 }),
      ]);
  });

  it('appends nothing for a milestone id already on the stream', () => {
    spec
      .given([...draft, m1])
      .when(cmd.addMilestone({ milestoneId: 'm1' }))
      .then([]);
  });
});

describe('escrow decider: mark-delivered', () => {
  it('moves FUNDED to RELEASABLE, carrying the optional note and proof url', () => {
    spec.given(funded).when(cmd.markDelivered()).then([usd.delivered()]);
    spec
      .given(funded)
      .when(cmd.markDelivered({ note: 'done', proofUrl: 'https://x/p.jpg' }))
      .then([usd.delivered('done', 'https://x/p.jpg')]);
    expect(fold(releasable).status).toBe('RELEASABLE');
    spec
      .given(funded)
      .when(cmd.markDelivered({ note: 'x'.repeat(2001) }))
      .thenError('VALIDATION_ERROR');
  });

  it('covers the mark-delivered row of §2 in every state', () => {
    spec.given([]).when(cmd.markDelivered()).thenError('ESCROW_NOT_FOUND');
    for (const from of ['DRAFT', 'RELEASABLE'] as const) {
      const err = errorOf(byStatus[from], cmd.markDelivered());
      expect([err.code, err.details]).toEqual([
        'INVALID_STATE_TRANSITION',
        { action: 'mark-delivered', from, to: 'RELEASABLE', allowedFrom: ['FUNDED'] },
      ]);
    }
    for (const status of terminal) {
      spec.given(byStatus[status]).when(cmd.markDelivered()).thenError('ESCROW_CLOSED');
    }
  });
});

describe('escrow decider: state and invariants', () => {
  it('folds balances: deposited is confirmed only, held equals deposited until payouts', () => {
    const state = fold([
      ...draft,
      usd.depositInitiated('d1', '10.00'),
      usd.depositConfirmed('d1', '10.00', '10.00'),
      usd.depositInitiated('d2', '20.00'),
      m1,
    ]);
    expect(state).toMatchObject({
      deposited: '10.00',
      pending: '20.00',
      returned: '0.00',
      held: '10.00',
      milestoneTotal: '40.00',
      deposits: [
        { depositId: 'd1', status: 'CONFIRMED', pspRef: 'psp-d1', amount: '10.00' },
        { depositId: 'd2', status: 'PENDING', pspRef: null, amount: '20.00' },
      ],
      milestones: [{ milestoneId: 'm1', status: 'WAITING', sequenceIndex: 1 }],
    });
  });

  it('evolve ignores events before creation instead of throwing', () => {
    expect(fold([usd.depositInitiated('d1', '1.00'), usd.funded('100.00')])).toEqual(
      escrowDecider.initialState(),
    );
  });

  it('assertBalances accepts every state the decider reaches', () => {
    for (const events of [draft, fundedBare, ...Object.values(byStatus)]) {
      expect(() => assertBalances(fold(events))).not.toThrow();
    }
  });

  it('assertBalances rejects a negative balance', () => {
    const fields = [
      'deposited',
      'pending',
      'returned',
      'paid',
      'refunded',
      'spent',
      'failed',
      'held',
    ] as const;
    for (const field of fields) {
      const broken = { ...fold(draft), [field]: '-0.01' };
      expect(() => assertBalances(broken)).toThrow(`negative ${field}`);
    }
  });

  it('assertBalances rejects a held balance that is not the formula', () => {
    expect(() => assertBalances({ ...fold(funded), held: '99.99' })).toThrow(
      'held is not the formula',
    );
    expect(() => assertBalances({ ...fold(funded), paid: '10.00' })).toThrow(
      'held is not the formula',
    );
  });

  it('assertBalances rejects kept and pending deposits above the total, but not returned ones', () => {
    const over = { ...fold(draftPartial), pending: '50.01' };
    expect(() => assertBalances(over)).toThrow('deposits above total');
    expect(() => assertBalances({ ...fold(draftPartial), pending: '50.00' })).not.toThrow();
    const returned = { ...fold(funded), deposited: '150.00', returned: '50.00', refunded: '50.00' };
    expect(() => assertBalances(returned)).not.toThrow();
    expect(() =>
      assertBalances({ ...returned, returned: '49.99', refunded: '49.99', held: '100.01' }),
    ).toThrow('deposits above total');
  });

  it('assertBalances rejects milestones above the total', () => {
    expect(() => assertBalances({ ...fold(draft), milestoneTotal: '100.01' })).toThrow(
      'milestones above total',
    );
  });

  it('assertBalances rejects a terminal escrow that holds money', () => {
    for (const status of terminal) {
      const holding = { ...fold(draftPartial), status };
      expect(() => assertBalances(holding)).toThrow('a closed escrow holds money');
    }
    expect(() => assertBalances(fold(draftPartial))).not.toThrow();
  });

  it('decide asserts the balance invariants of the state it is given', () => {
    const broken = { ...fold(draft), pending: '-1.00' };
    expect(() => escrowDecider.decide(cmd.deposit('d1', '1.00'), broken)).toThrow(AssertionError);
    const over = { ...fold(draft), deposited: '60.00', held: '60.00', pending: '50.00' };
    expect(() => escrowDecider.decide(cmd.markDelivered(), over)).toThrow(AssertionError);
    const holding: EscrowState = { ...fold(funded), status: 'RELEASED' };
    const command: EscrowCommand = cmd.sent('none');
    expect(() => escrowDecider.decide(command, holding)).toThrow(AssertionError);
  });
});

describe('escrow spec fixtures', () => {
  it('folds each status stream to its status, with the held balance it names', () => {
    const held: Record<EscrowStatus, string> = {
      DRAFT: '50.00',
      FUNDED: '100.00',
      RELEASABLE: '100.00',
      RELEASED: '0.00',
      REFUNDED: '0.00',
      CANCELLED: '0.00',
    };
    for (const [status, events] of Object.entries(byStatus)) {
      const state = fold(events);
      expect([state.status, state.held]).toEqual([status, held[status as EscrowStatus]]);
      expect(() => assertBalances(state)).not.toThrow();
    }
  });

  it('builds every stream from what the decider itself decides', () => {
    const run = (given: EscrowEvent[], ...commands: EscrowCommand[]) =>
      commands.reduce((events, command) => [...events, ...decideOn(events, command)], given);
    const addM1 = cmd.addMilestone({
      milestoneId: 'm1',
      label: 'Foundations',
      amount: '40.00',
      sequenceIndex: 1,
    });
    const addM2 = cmd.addMilestone({
      milestoneId: 'm2',
      label: 'Roof',
      amount: '60.00',
      sequenceIndex: 2,
    });
    expect(run([], cmd.create())).toEqual(draft);
    expect(run(draft, addM1, addM2, cmd.depositCollected('d1', '50.00'))).toEqual(draftPartial);
    expect(run(draft, cmd.depositCollected('d1', '100.00'))).toEqual(fundedBare);
    expect(run(draft, addM1, addM2, cmd.depositCollected('d1', '100.00'))).toEqual(funded);
    expect(run(funded, cmd.markDelivered())).toEqual(releasable);
    expect(run(funded, cmd.approve())).toEqual(released);
    expect(run(funded, cmd.reject())).toEqual(refunded);
    expect(run(draftPartial, cmd.reject())).toEqual(cancelled);
  });
});
