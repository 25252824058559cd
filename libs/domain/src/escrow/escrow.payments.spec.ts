/**
 * A payment's life after its initiation (API-RULES.md §3) as given/when/then specs: PENDING →
 * SENT (with `milestone.paid` for a milestone payout) → SETTLED, PENDING or SENT → FAILED
 * (`afterSent`), repeats that append nothing, the moves that are refused (a SETTLED payment never
 * fails, a FAILED one never settles), retries of FAILED payments (`retryOf`, held unchanged, the
 * `failed` balance back to the kind's balance), all of it on closed escrows too; the automatic
 * RELEASED row of §2 (a milestone payout sent, every milestone PAID, nothing held, never on a
 * terminal escrow); and the balances and `heldAfter` each kind of event leaves.
 */
import type { EscrowCommand } from './escrow.commands';
import { escrowDecider } from './escrow.decider';
import type { EscrowEvent } from './escrow.events';
import type { EscrowState } from './escrow.state';
import {
  SEED_IDS,
  byStatus,
  cancelled,
  cmd,
  decideOn,
  draft,
  draftPartial,
  errorOf,
  fold,
  funded,
  fundedBare,
  m1,
  m2,
  refunded,
  releasable,
  released,
  spec,
  usd,
} from '../testing/escrow-fixtures';

const [S0, S1] = SEED_IDS;
const m1Payout = usd.payment({
  paymentId: 'pay-m1',
  kind: 'payout',
  amount: '40.00',
  milestoneId: 'm1',
});
const m2Payout = usd.payment({
  paymentId: 'pay-m2',
  kind: 'payout',
  amount: '60.00',
  milestoneId: 'm2',
});
const retryM1 = usd.payment({
  paymentId: 'retry-m1',
  kind: 'payout',
  amount: '40.00',
  milestoneId: 'm1',
});

/** FUNDED, m1 released: its payout `pay-m1` PENDING, held 60.00. */
const m1Pending = [
  ...funded,
  usd.approved('m1', 'release'),
  m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
];
const m1Sent = [...m1Pending, m1Payout.sent(), usd.paid('m1', 'pay-m1')];
const m1Settled = [...m1Sent, m1Payout.settled()];
const m1Failed = [...m1Pending, m1Payout.failed({ afterSent: false })];
/** m1 PAID, m2 released: its payout `pay-m2` PENDING, nothing held. */
const m2Pending = [
  ...m1Sent,
  usd.approved('m2', 'release'),
  m2Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
];

function balances(state: EscrowState) {
  const { deposited, paid, refunded: back, spent, failed, held } = state;
  return { deposited, paid, refunded: back, spent, failed, held };
}

describe('escrow payments: PENDING → SENT → SETTLED', () => {
  it('records a milestone payout sent and pays its milestone', () => {
    spec
      .given(m1Pending)
      .when(cmd.sent('pay-m1'))
      .then([m1Payout.sent(), usd.paid('m1', 'pay-m1')]);
    const state = fold(m1Sent);
    expect(state.payments[0]).toMatchObject({ status: 'SENT', pspRef: 'psp-pay-m1' });
    expect(state.milestones.map((m) => m.status)).toEqual(['PAID', 'WAITING']);
  });

  it('records a payment without a milestone sent, with nothing else', () => {
    const rest = usd.payment({ paymentId: S0, kind: 'payout', amount: '100.00' });
    const releasedBare = [...fundedBare, ...decideOn(fundedBare, cmd.approve())];
    spec.given(releasedBare).when(cmd.sent(S0)).then([rest.sent()]);
    const refund = usd.payment({ paymentId: S0, kind: 'refund', amount: '100.00' });
    spec.given(refunded).when(cmd.sent(S0)).then([refund.sent()]);
  });

  it('settles a sent payment from its webhook', () => {
    spec
      .given(m1Sent)
      .when(cmd.settle('pay-m1', 'sim:w1'))
      .then([m1Payout.settled('psp-pay-m1', 'sim:w1')]);
    expect(fold(m1Settled).payments[0]?.status).toBe('SETTLED');
    spec.given(m1Sent).when(cmd.settle('pay-m1', '')).thenError('VALIDATION_ERROR');
  });

  it('appends nothing for a move already made', () => {
    spec.given(m1Sent).when(cmd.sent('pay-m1')).then([]);
    spec.given(m1Settled).when(cmd.sent('pay-m1')).then([]);
    spec.given(m1Settled).when(cmd.settle('pay-m1')).then([]);
  });

  it('refuses to settle a payment the PSP has not accepted', () => {
    const err = errorOf(m1Pending, cmd.settle('pay-m1'));
    expect([err.code, err.details]).toEqual([
      'INVALID_STATE_TRANSITION',
      { action: 'settle', from: 'PENDING', to: 'SETTLED', paymentId: 'pay-m1' },
    ]);
  });

  it('refuses a blank PSP reference', () => {
    spec.given(m1Pending).when(cmd.sent('pay-m1', ' ')).thenError('VALIDATION_ERROR');
  });
});

describe('escrow payments: → FAILED', () => {
  it('fails a PENDING payment (afterSent false): the amount stays owed, the milestone PAYING', () => {
    spec
      .given(m1Pending)
      .when(cmd.failPayment('pay-m1'))
      .then([m1Payout.failed({ afterSent: false })]);
    const state = fold(m1Failed);
    expect(balances(state)).toEqual({
      deposited: '100.00',
      paid: '0.00',
      refunded: '0.00',
      spent: '0.00',
      failed: '40.00',
      held: '60.00',
    });
    expect(state.payments[0]).toMatchObject({
      status: 'FAILED',
      failureReason: 'declined',
      retriedBy: null,
    });
    expect(state.milestones[0]?.status).toBe('PAYING');
  });

  it('fails a SENT payment from a webhook (afterSent true) and reopens its milestone', () => {
    spec
      .given(m1Sent)
      .when(cmd.failPayment('pay-m1', { reason: 'returned by the bank', webhookEventId: 'sim:w2' }))
      .then([
        m1Payout.failed({
          afterSent: true,
          pspRef: 'psp-pay-m1',
          reason: 'returned by the bank',
          webhookEventId: 'sim:w2',
        }),
      ]);
    const m1Returned = [...m1Sent, ...decideOn(m1Sent, cmd.failPayment('pay-m1'))];
    const state = fold(m1Returned);
    expect([state.failed, state.paid, state.held]).toEqual(['40.00', '0.00', '60.00']);
    // A milestone whose payout failed is open again until a retried payout is sent (§2).
    expect(state.milestones[0]?.status).toBe('PAYING');
    spec.given(m1Returned).when(cmd.release('m2', 'pay-m2')).thenError('SEQUENCE_ERROR');
  });

  it('appends nothing when a FAILED payment fails again', () => {
    spec.given(m1Failed).when(cmd.failPayment('pay-m1')).then([]);
  });

  it('never fails a SETTLED payment, and never settles or sends a FAILED one', () => {
    const settledErr = errorOf(m1Settled, cmd.failPayment('pay-m1'));
    expect([settledErr.code, settledErr.details]).toEqual([
      'INVALID_STATE_TRANSITION',
      { action: 'record-failed', from: 'SETTLED', to: 'FAILED', paymentId: 'pay-m1' },
    ]);
    const settleErr = errorOf(m1Failed, cmd.settle('pay-m1'));
    expect([settleErr.code, settleErr.details]).toEqual([
      'INVALID_STATE_TRANSITION',
      { action: 'settle', from: 'FAILED', to: 'SETTLED', paymentId: 'pay-m1' },
    ]);
    spec.given(m1Failed).when(cmd.sent('pay-m1')).thenError('INVALID_STATE_TRANSITION');
  });

  it('refuses a failure reason above its length limit', () => {
    spec
      .given(m1Pending)
      .when(cmd.failPayment('pay-m1', { reason: 'x'.repeat(501) }))
      .thenError('VALIDATION_ERROR');
    spec
      .given(m1Pending)
      .when(cmd.failPayment('pay-m1', { reason: 'x'.repeat(500) }))
      .then([m1Payout.failed({ afterSent: false, reason: 'x'.repeat(500) })]);
  });
});

describe('escrow payments: unknown payments and escrows', () => {
  it('answers PAYMENT_NOT_FOUND and ESCROW_NOT_FOUND to every payment command', () => {
    const commands: EscrowCommand[] = [
      cmd.sent('nope'),
      cmd.failPayment('nope'),
      cmd.settle('nope'),
      cmd.retry('nope', 'retry-nope'),
    ];
    for (const command of commands) {
      spec.given(m1Pending).when(command).thenError('PAYMENT_NOT_FOUND');
      spec.given([]).when(command).thenError('ESCROW_NOT_FOUND');
    }
  });
});

describe('escrow payments: retry', () => {
  it('retries a FAILED payment with a new one (retryOf) without moving held money', () => {
    spec
      .given(m1Failed)
      .when(cmd.retry('pay-m1', 'retry-m1'))
      .then([
        m1Payout.retried('retry-m1'),
        retryM1.initiated({ reason: 'retry', heldAfter: '60.00', retryOf: 'pay-m1' }),
      ]);
    const state = fold([...m1Failed, ...decideOn(m1Failed, cmd.retry('pay-m1', 'retry-m1'))]);
    expect(balances(state)).toEqual({
      deposited: '100.00',
      paid: '40.00',
      refunded: '0.00',
      spent: '0.00',
      failed: '0.00',
      held: '60.00',
    });
    expect(state.payments.map((p) => [p.paymentId, p.status, p.retryOf, p.retriedBy])).toEqual([
      ['pay-m1', 'FAILED', null, 'retry-m1'],
      ['retry-m1', 'PENDING', 'pay-m1', null],
    ]);
    expect(state.milestones[0]?.status).toBe('PAYING');
  });

  it('pays the milestone when the retried payout is sent', () => {
    const retrying = [...m1Failed, ...decideOn(m1Failed, cmd.retry('pay-m1', 'retry-m1'))];
    spec
      .given(retrying)
      .when(cmd.sent('retry-m1'))
      .then([retryM1.sent(), usd.paid('m1', 'retry-m1')]);
  });

  it('moves a failed refund back to refunded and keeps the deposit it gives back', () => {
    const afterClose = [...cancelled, ...decideOn(cancelled, cmd.depositCollected('d2', '30.00'))];
    const refund = usd.payment({ paymentId: 'refund-d2', kind: 'refund', amount: '30.00' });
    const failedRefund = [...afterClose, refund.failed({ afterSent: false })];
    expect([fold(failedRefund).refunded, fold(failedRefund).failed]).toEqual(['50.00', '30.00']);
    const again = usd.payment({ paymentId: 'refund-d2-again', kind: 'refund', amount: '30.00' });
    spec
      .given(failedRefund)
      .when(cmd.retry('refund-d2', 'refund-d2-again'))
      .then([
        refund.retried('refund-d2-again'),
        again.initiated({
          reason: 'retry',
          heldAfter: '0.00',
          retryOf: 'refund-d2',
          depositId: 'd2',
        }),
      ]);
    const state = fold([
      ...failedRefund,
      ...decideOn(failedRefund, cmd.retry('refund-d2', 'refund-d2-again')),
    ]);
    expect([state.refunded, state.failed, state.held]).toEqual(['80.00', '0.00', '0.00']);
    expect(state.deposits.find((d) => d.depositId === 'd2')?.refundPaymentId).toBe(
      'refund-d2-again',
    );
  });

  it('retries only FAILED payments', () => {
    for (const events of [m1Pending, m1Sent, m1Settled]) {
      spec
        .given(events)
        .when(cmd.retry('pay-m1', 'retry-m1'))
        .thenError('INVALID_STATE_TRANSITION');
    }
    expect(errorOf(m1Sent, cmd.retry('pay-m1', 'retry-m1')).details).toEqual({
      action: 'retry',
      from: 'SENT',
      to: 'PENDING',
      paymentId: 'pay-m1',
    });
  });

  it('appends nothing for the same retry again, and refuses a second retry with another id', () => {
    const retrying = [...m1Failed, ...decideOn(m1Failed, cmd.retry('pay-m1', 'retry-m1'))];
    spec.given(retrying).when(cmd.retry('pay-m1', 'retry-m1')).then([]);
    const err = errorOf(retrying, cmd.retry('pay-m1', 'retry-m1-bis'));
    expect([err.code, err.details]).toEqual([
      'PAYMENT_ALREADY_RETRIED',
      { paymentId: 'pay-m1', retriedBy: 'retry-m1' },
    ]);
  });

  it('retries a retry that failed in its turn', () => {
    const retrying = [...m1Failed, ...decideOn(m1Failed, cmd.retry('pay-m1', 'retry-m1'))];
    const failedTwice = [...retrying, retryM1.failed({ afterSent: false })];
    const third = usd.payment({
      paymentId: 'retry-m1-2',
      kind: 'payout',
      amount: '40.00',
      milestoneId: 'm1',
    });
    spec
      .given(failedTwice)
      .when(cmd.retry('retry-m1', 'retry-m1-2'))
      .then([
        retryM1.retried('retry-m1-2'),
        third.initiated({ reason: 'retry', heldAfter: '60.00', retryOf: 'retry-m1' }),
      ]);
  });
});

describe('escrow payments: on closed escrows', () => {
  it('sends, settles, fails and retries payments started before the close', () => {
    const p0 = usd.payment({ paymentId: S0, kind: 'payout', amount: '40.00', milestoneId: 'm1' });
    spec
      .given(released)
      .when(cmd.sent(S0))
      .then([p0.sent(), usd.paid('m1', S0)]);
    const refund = usd.payment({ paymentId: S0, kind: 'refund', amount: '100.00' });
    const refundSent = [...refunded, refund.sent()];
    spec.given(refundSent).when(cmd.settle(S0)).then([refund.settled()]);
    spec
      .given(refundSent)
      .when(cmd.failPayment(S0, { webhookEventId: 'sim:w3' }))
      .then([refund.failed({ afterSent: true, pspRef: `psp-${S0}`, webhookEventId: 'sim:w3' })]);
    const refundFailed = [...refundSent, refund.failed({ afterSent: true, pspRef: `psp-${S0}` })];
    const retry = usd.payment({ paymentId: 'retry-refund', kind: 'refund', amount: '100.00' });
    spec
      .given(refundFailed)
      .when(cmd.retry(S0, 'retry-refund'))
      .then([
        refund.retried('retry-refund'),
        retry.initiated({ reason: 'retry', heldAfter: '0.00', retryOf: S0 }),
      ]);
    expect(fold(refundFailed)).toMatchObject({
      status: 'REFUNDED',
      failed: '100.00',
      held: '0.00',
    });
    const cancelRefund = usd.payment({ paymentId: S0, kind: 'refund', amount: '50.00' });
    spec
      .given(cancelled)
      .when(cmd.failPayment(S0))
      .then([cancelRefund.failed({ afterSent: false })]);
  });
});

describe('escrow payments: automatic RELEASED (§2)', () => {
  const allPaid = usd.released('all_milestones_paid', []);

  it('releases when the last milestone payout is sent, every milestone is PAID and nothing is held', () => {
    spec
      .given(m2Pending)
      .when(cmd.sent('pay-m2'))
      .then([m2Payout.sent(), usd.paid('m2', 'pay-m2'), allPaid]);
    const fromReleasable = [
      ...releasable,
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
      m1Payout.sent(),
      usd.paid('m1', 'pay-m1'),
      usd.approved('m2', 'release'),
      m2Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
    ];
    spec
      .given(fromReleasable)
      .when(cmd.sent('pay-m2'))
      .then([m2Payout.sent(), usd.paid('m2', 'pay-m2'), allPaid]);
    expect(fold([...m2Pending, m2Payout.sent(), usd.paid('m2', 'pay-m2'), allPaid]).status).toBe(
      'RELEASED',
    );
  });

  it('releases a DRAFT escrow too: the rule names no state, only milestones and held', () => {
    const draftOne = [
      ...draft,
      m1,
      usd.depositInitiated('d1', '40.00'),
      usd.depositConfirmed('d1', '40.00', '40.00'),
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
    ];
    spec
      .given(draftOne)
      .when(cmd.sent('pay-m1'))
      .then([m1Payout.sent(), usd.paid('m1', 'pay-m1'), allPaid]);
  });

  it('does not release while something is held', () => {
    const m2Of50 = usd.milestone({
      milestoneId: 'm2',
      label: 'Roof',
      amount: '50.00',
      sequenceIndex: 2,
    });
    const pay50 = usd.payment({
      paymentId: 'pay-m2',
      kind: 'payout',
      amount: '50.00',
      milestoneId: 'm2',
    });
    const heldLeft = [
      ...fundedBare,
      m1,
      m2Of50,
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
      m1Payout.sent(),
      usd.paid('m1', 'pay-m1'),
      usd.approved('m2', 'release'),
      pay50.initiated({ reason: 'milestone_release', heldAfter: '10.00' }),
    ];
    spec
      .given(heldLeft)
      .when(cmd.sent('pay-m2'))
      .then([pay50.sent(), usd.paid('m2', 'pay-m2')]);
  });

  it('does not release while a milestone is unpaid: waiting, paying, or reopened by a failure', () => {
    spec
      .given(m1Pending)
      .when(cmd.sent('pay-m1'))
      .then([m1Payout.sent(), usd.paid('m1', 'pay-m1')]);
    const bothPaying = [
      ...m1Pending,
      usd.approved('m2', 'release'),
      m2Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
    ];
    spec
      .given(bothPaying)
      .when(cmd.sent('pay-m2'))
      .then([m2Payout.sent(), usd.paid('m2', 'pay-m2')]);
    spec
      .given([...bothPaying, m1Payout.failed({ afterSent: false })])
      .when(cmd.sent('pay-m2'))
      .then([m2Payout.sent(), usd.paid('m2', 'pay-m2')]);
    const m1Returned = [...m2Pending, m1Payout.failed({ afterSent: true, pspRef: 'psp-pay-m1' })];
    spec
      .given(m1Returned)
      .when(cmd.sent('pay-m2'))
      .then([m2Payout.sent(), usd.paid('m2', 'pay-m2')]);
  });

  it('releases when a retried payout completes the milestones', () => {
    const m2Paid = [...m2Pending, m2Payout.sent(), usd.paid('m2', 'pay-m2')];
    // m1's payout was returned after m2's was sent: m1 reopened, nothing released yet.
    const m1Returned = [...m2Paid, m1Payout.failed({ afterSent: true, pspRef: 'psp-pay-m1' })];
    expect(fold(m1Returned).status).toBe('FUNDED');
    const retrying = [...m1Returned, ...decideOn(m1Returned, cmd.retry('pay-m1', 'retry-m1'))];
    spec
      .given(retrying)
      .when(cmd.sent('retry-m1'))
      .then([retryM1.sent(), usd.paid('m1', 'retry-m1'), allPaid]);
  });

  it('never releases a terminal escrow again', () => {
    const p0 = usd.payment({ paymentId: S0, kind: 'payout', amount: '40.00', milestoneId: 'm1' });
    const p1 = usd.payment({ paymentId: S1, kind: 'payout', amount: '60.00', milestoneId: 'm2' });
    const p0Sent = [...released, p0.sent(), usd.paid('m1', S0)];
    spec
      .given(p0Sent)
      .when(cmd.sent(S1))
      .then([p1.sent(), usd.paid('m2', S1)]);
    // REFUNDED with its only milestone paying: the payout sent leaves all PAID and held 0.
    const oneMilestone = [
      ...fundedBare,
      m1,
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
    ];
    const refundedPaying = [...oneMilestone, ...decideOn(oneMilestone, cmd.reject())];
    expect(fold(refundedPaying).status).toBe('REFUNDED');
    spec
      .given(refundedPaying)
      .when(cmd.sent('pay-m1'))
      .then([m1Payout.sent(), usd.paid('m1', 'pay-m1')]);
    // CANCELLED the same way: a DRAFT escrow's only milestone paying, the rest given back.
    const draftOne = [
      ...draft,
      m1,
      usd.depositInitiated('d1', '50.00'),
      usd.depositConfirmed('d1', '50.00', '50.00'),
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '10.00' }),
    ];
    const cancelledPaying = [...draftOne, ...decideOn(draftOne, cmd.reject())];
    expect(fold(cancelledPaying).status).toBe('CANCELLED');
    spec
      .given(cancelledPaying)
      .when(cmd.sent('pay-m1'))
      .then([m1Payout.sent(), usd.paid('m1', 'pay-m1')]);
  });
});

describe('escrow payments: balances and heldAfter', () => {
  it('moves each balance by the kind of event, and held by the formula', () => {
    const refundAll = usd.payment({ paymentId: 'r1', kind: 'refund', amount: '60.00' });
    const steps: [EscrowEvent, Partial<ReturnType<typeof balances>>][] = [
      [usd.created(), { deposited: '0.00', held: '0.00' }],
      [usd.depositInitiated('d1', '100.00'), { deposited: '0.00', held: '0.00' }],
      [usd.depositConfirmed('d1', '100.00', '100.00'), { deposited: '100.00', held: '100.00' }],
      [m1, { held: '100.00' }],
      [
        m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
        { paid: '40.00', held: '60.00' },
      ],
      [m1Payout.failed({ afterSent: false }), { paid: '0.00', failed: '40.00', held: '60.00' }],
      [m1Payout.retried('retry-m1'), { paid: '0.00', failed: '40.00', held: '60.00' }],
      [
        retryM1.initiated({ reason: 'retry', heldAfter: '60.00', retryOf: 'pay-m1' }),
        { paid: '40.00', failed: '0.00', held: '60.00' },
      ],
      [retryM1.sent(), { paid: '40.00', held: '60.00' }],
      [retryM1.settled(), { paid: '40.00', held: '60.00' }],
      [
        refundAll.initiated({ reason: 'client_reject', heldAfter: '0.00' }),
        { refunded: '60.00', held: '0.00' },
      ],
      [refundAll.failed({ afterSent: false }), { refunded: '0.00', failed: '60.00', held: '0.00' }],
    ];
    let state = escrowDecider.initialState();
    for (const [event, expected] of steps) {
      state = escrowDecider.evolve(state, event);
      expect({ after: event.type, ...balances(state) }).toMatchObject({
        after: event.type,
        ...expected,
      });
    }
  });

  it('writes on every event that changes held the balance the fold reaches after it', () => {
    const scenarios: [EscrowEvent[], EscrowCommand[]][] = [
      [
        draft,
        [
          cmd.depositCollected('d1', '30.00'),
          cmd.depositCollected('d2', '70.00'),
          cmd.depositCollected('d3', '1.00'),
        ],
      ],
      [
        draftPartial,
        [
          cmd.release('m1', 'pay-m1'),
          cmd.sent('pay-m1'),
          cmd.reject(),
          cmd.depositCollected('d2', '5.00'),
        ],
      ],
      [
        funded,
        [
          cmd.release('m1', 'pay-m1'),
          cmd.failPayment('pay-m1'),
          cmd.retry('pay-m1', 'retry-m1'),
          cmd.approve(),
        ],
      ],
      [byStatus.RELEASABLE, [cmd.checkDeadline('2026-04-02T00:00:00.000Z')]],
    ];
    let checked = 0;
    for (const [given, commands] of scenarios) {
      let events = [...given];
      for (const command of commands) {
        for (const event of decideOn(events, command)) {
          events = [...events, event];
          if (
            event.type === 'payment.initiated.v1' ||
            event.type === 'escrow.deposit_confirmed.v1'
          ) {
            expect([event.type, event.data.heldAfter]).toEqual([event.type, fold(events).held]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(13);
  });
});
