/**
 * The decisions that move money out of an escrow's held balance, as given/when/then specs: the
 * milestone release (only the lowest open milestone, only when held covers it, a repeat appends
 * nothing), client-approve (milestones in order while held covers them, then the rest as one
 * payout, RELEASED), client-reject (the held balance back: DRAFT → CANCELLED, FUNDED/RELEASABLE →
 * REFUNDED) and check-deadline (acts only when due; `on_deadline` release/refund/none; a due DRAFT
 * escrow is cancelled whatever it says). Each of these rows of API-RULES.md §2 runs in every escrow
 * state, and the amounts are checked at scale in USD (2), JPY (0) and KWD (3).
 */
import { AssertionError } from '@kob/kernel';
import { escrowDecider } from './escrow.decider';
import type { EscrowCommand } from './escrow.commands';
import type { EscrowEvent } from './escrow.events';
import type { EscrowState } from './escrow.state';
import {
  DEADLINE,
  JUST_BEFORE,
  LATER,
  SEED_IDS,
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

const [S0, S1] = SEED_IDS;
const payout = (paymentId: string, amount: string, milestoneId: string | null = null) =>
  usd.payment({ paymentId, kind: 'payout', amount, milestoneId });
const refund = (paymentId: string, amount: string) =>
  usd.payment({ paymentId, kind: 'refund', amount });

/** m1's release on FUNDED (payout `pay-m1`, pending): m1 PAYING, held 60.00. */
const m1Payout = payout('pay-m1', '40.00', 'm1');
const fundedM1Paying = [
  ...funded,
  usd.approved('m1', 'release'),
  m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
];
/** Both milestones released on FUNDED, both payouts pending: nothing held, still FUNDED. */
const m2Payout = payout('pay-m2', '60.00', 'm2');
const fundedAllPaying = [
  ...fundedM1Paying,
  usd.approved('m2', 'release'),
  m2Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
];

/**
 * Spends arrive with the usage issue: until then a FUNDED state with 30.00 spent (held 70.00, less
 * than the milestones m1 40.00, m2 50.00, m3 10.00 still unpaid) stands in, and decisions on it
 * are checked without the given/when/then helper.
 */
const fundedSpent30 = {
  state: {
    ...fold([
      ...fundedBare,
      m1,
      usd.milestone({ milestoneId: 'm2', label: 'Roof', amount: '50.00', sequenceIndex: 2 }),
      usd.milestone({ milestoneId: 'm3', label: 'Paint', amount: '10.00', sequenceIndex: 3 }),
    ]),
    spent: '30.00',
    held: '70.00',
  } satisfies EscrowState,
  then(command: EscrowCommand) {
    const events = escrowDecider.decide(command, this.state);
    return { events, state: events.reduce(escrowDecider.evolve, this.state) };
  },
};

describe('escrow closing: milestone release (ApproveAndPayMilestone, source release)', () => {
  it('approves the lowest open milestone and initiates its payout from DRAFT when held covers it', () => {
    spec
      .given(draftPartial)
      .when(cmd.release('m1', 'pay-m1'))
      .then([
        usd.approved('m1', 'release'),
        m1Payout.initiated({ reason: 'milestone_release', heldAfter: '10.00' }),
      ]);
  });

  it('approves and pays from FUNDED and RELEASABLE', () => {
    for (const events of [funded, releasable]) {
      spec
        .given(events)
        .when(cmd.release('m1', 'pay-m1'))
        .then([
          usd.approved('m1', 'release'),
          m1Payout.initiated({ reason: 'milestone_release', heldAfter: '60.00' }),
        ]);
    }
    expect(fold(fundedM1Paying)).toMatchObject({
      status: 'FUNDED',
      paid: '40.00',
      held: '60.00',
      milestones: [
        { milestoneId: 'm1', status: 'PAYING' },
        { milestoneId: 'm2', status: 'WAITING' },
      ],
    });
  });

  it('pays a milestone that takes exactly what is held', () => {
    const held40 = [
      ...draft,
      m1,
      m2,
      usd.depositInitiated('d1', '40.00'),
      usd.depositConfirmed('d1', '40.00', '40.00'),
    ];
    spec
      .given(held40)
      .when(cmd.release('m1', 'pay-m1'))
      .then([
        usd.approved('m1', 'release'),
        m1Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
      ]);
  });

  it('refuses a milestone out of sequence with SEQUENCE_ERROR, in DRAFT, FUNDED and RELEASABLE', () => {
    for (const status of ['DRAFT', 'FUNDED', 'RELEASABLE'] as const) {
      spec.given(byStatus[status]).when(cmd.release('m2', 'pay-m2')).thenError('SEQUENCE_ERROR');
    }
    expect(errorOf(funded, cmd.release('m2', 'pay-m2')).details).toEqual({
      milestoneId: 'm2',
      sequenceIndex: 2,
      openSequenceIndex: 1,
    });
  });

  it('orders by sequence index, not by the order milestones were added', () => {
    const reversed = [
      ...fundedBare,
      { ...m2, data: { ...m2.data, sequenceIndex: 1 } },
      { ...m1, data: { ...m1.data, sequenceIndex: 2 } },
    ];
    spec.given(reversed).when(cmd.release('m1', 'pay-m1')).thenError('SEQUENCE_ERROR');
    spec
      .given(reversed)
      .when(cmd.release('m2', 'pay-m2'))
      .then([
        usd.approved('m2', 'release'),
        m2Payout.initiated({ reason: 'milestone_release', heldAfter: '40.00' }),
      ]);
  });

  it('keeps the next milestone waiting while the lower one is PAYING, pending or failed', () => {
    spec.given(fundedM1Paying).when(cmd.release('m2', 'pay-m2')).thenError('SEQUENCE_ERROR');
    const m1Failed = [...fundedM1Paying, m1Payout.failed({ afterSent: false })];
    spec.given(m1Failed).when(cmd.release('m2', 'pay-m2')).thenError('SEQUENCE_ERROR');
    const m1Paid = [...fundedM1Paying, m1Payout.sent(), usd.paid('m1', 'pay-m1')];
    spec
      .given(m1Paid)
      .when(cmd.release('m2', 'pay-m2'))
      .then([
        usd.approved('m2', 'release'),
        m2Payout.initiated({ reason: 'milestone_release', heldAfter: '0.00' }),
      ]);
  });

  it('refuses with INSUFFICIENT_ESCROW_BALANCE when held does not cover the milestone, emitting nothing', () => {
    const held30 = [
      ...draft,
      m1,
      m2,
      usd.depositInitiated('d1', '30.00'),
      usd.depositConfirmed('d1', '30.00', '30.00'),
    ];
    spec.given(held30).when(cmd.release('m1', 'pay-m1')).thenError('INSUFFICIENT_ESCROW_BALANCE');
    expect(errorOf(held30, cmd.release('m1', 'pay-m1')).details).toEqual({
      held: '30.00',
      required: '40.00',
      currency: 'USD',
    });
    // DRAFT after m1's payout was sent: 10.00 held, m2 needs 60.00.
    const draftM1Paid = [
      ...draftPartial,
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '10.00' }),
      m1Payout.sent(),
      usd.paid('m1', 'pay-m1'),
    ];
    spec
      .given(draftM1Paid)
      .when(cmd.release('m2', 'pay-m2'))
      .thenError('INSUFFICIENT_ESCROW_BALANCE');
  });

  it('appends nothing for a repeat on a PAYING or PAID milestone, whatever payment id it carries', () => {
    spec.given(fundedM1Paying).when(cmd.release('m1', 'pay-m1')).then([]);
    spec.given(fundedM1Paying).when(cmd.release('m1', 'another')).then([]);
    spec
      .given([...fundedM1Paying, m1Payout.failed({ afterSent: false })])
      .when(cmd.release('m1', 'another'))
      .then([]);
    spec
      .given([...fundedM1Paying, m1Payout.sent(), usd.paid('m1', 'pay-m1')])
      .when(cmd.release('m1', 'pay-m1'))
      .then([]);
    // Also once the escrow closed: the payout exists, the handler answers it.
    spec.given(released).when(cmd.release('m1', 'pay-m1')).then([]);
  });

  it('refuses an unknown milestone or escrow with 404', () => {
    spec.given(funded).when(cmd.release('m9', 'pay-m9')).thenError('MILESTONE_NOT_FOUND');
    spec.given([]).when(cmd.release('m1', 'pay-m1')).thenError('ESCROW_NOT_FOUND');
  });

  it('refuses an open milestone of a terminal escrow with ESCROW_CLOSED', () => {
    // REFUNDED and CANCELLED keep their milestones WAITING; RELEASED keeps one the approval
    // could not cover (see client-approve below).
    spec.given(refunded).when(cmd.release('m1', 'pay-m1')).thenError('ESCROW_CLOSED');
    spec.given(cancelled).when(cmd.release('m1', 'pay-m1')).thenError('ESCROW_CLOSED');
    const approved = fundedSpent30.then(cmd.approve());
    expect(approved.state.status).toBe('RELEASED');
    expect(approved.state.milestones.map((m) => [m.milestoneId, m.status])).toEqual([
      ['m1', 'PAYING'],
      ['m2', 'WAITING'],
      ['m3', 'WAITING'],
    ]);
    expect(() => escrowDecider.decide(cmd.release('m2', 'pay-m2'), approved.state)).toThrow(
      expect.objectContaining({ code: 'ESCROW_CLOSED' }),
    );
  });
});

describe('escrow closing: client-approve', () => {
  it('pays the unpaid milestones in sequence order and releases, from FUNDED and RELEASABLE', () => {
    const approval = [
      usd.approved('m1', 'client_approve'),
      payout(S0, '40.00', 'm1').initiated({ reason: 'client_approve', heldAfter: '60.00' }),
      usd.approved('m2', 'client_approve'),
      payout(S1, '60.00', 'm2').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
      usd.released('client_approve', [S0, S1]),
    ];
    spec.given(funded).when(cmd.approve()).then(approval);
    spec.given(releasable).when(cmd.approve()).then(approval);
    expect(fold([...funded, ...approval])).toMatchObject({
      status: 'RELEASED',
      paid: '100.00',
      held: '0.00',
    });
  });

  it('pays what the milestones leave as one more payout without a milestone', () => {
    spec
      .given([...fundedBare, m1])
      .when(cmd.approve())
      .then([
        usd.approved('m1', 'client_approve'),
        payout(S0, '40.00', 'm1').initiated({ reason: 'client_approve', heldAfter: '60.00' }),
        payout(S1, '60.00').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
        usd.released('client_approve', [S0, S1]),
      ]);
  });

  it('pays everything held as one payout when there are no milestones', () => {
    spec
      .given(fundedBare)
      .when(cmd.approve())
      .then([
        payout(S0, '100.00').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
        usd.released('client_approve', [S0]),
      ]);
  });

  it('skips milestones already paying, and releases with no payment when nothing is held', () => {
    spec
      .given(fundedM1Paying)
      .when(cmd.approve())
      .then([
        usd.approved('m2', 'client_approve'),
        payout(S0, '60.00', 'm2').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
        usd.released('client_approve', [S0]),
      ]);
    spec
      .given(fundedAllPaying)
      .when(cmd.approve())
      .then([usd.released('client_approve', [])]);
  });

  it('leaves a failed milestone payout owed (a retry pays it) and releases the rest', () => {
    const m1Failed = [...fundedM1Paying, m1Payout.failed({ afterSent: false })];
    const approval = [
      usd.approved('m2', 'client_approve'),
      payout(S0, '60.00', 'm2').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
      usd.released('client_approve', [S0]),
    ];
    spec.given(m1Failed).when(cmd.approve()).then(approval);
    expect(fold([...m1Failed, ...approval])).toMatchObject({
      status: 'RELEASED',
      failed: '40.00',
      held: '0.00',
    });
  });

  it('stops at the first milestone the held balance does not cover and pays the rest', () => {
    // m2 does not fit in the 30.00 left: m3 (10.00) waits too, milestones are paid in order.
    expect(fundedSpent30.then(cmd.approve()).events).toEqual([
      usd.approved('m1', 'client_approve'),
      payout(S0, '40.00', 'm1').initiated({ reason: 'client_approve', heldAfter: '30.00' }),
      payout(S1, '30.00').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
      usd.released('client_approve', [S0, S1]),
    ]);
  });

  it('keeps the client note on the release, within its length limit', () => {
    spec
      .given(fundedBare)
      .when(cmd.approve({ note: 'thanks' }))
      .then([
        payout(S0, '100.00').initiated({ reason: 'client_approve', heldAfter: '0.00' }),
        usd.released('client_approve', [S0], { note: 'thanks' }),
      ]);
    spec
      .given(fundedBare)
      .when(cmd.approve({ note: 'x'.repeat(2001) }))
      .thenError('VALIDATION_ERROR');
  });

  it('refuses a DRAFT escrow with INVALID_STATE_TRANSITION naming from and to', () => {
    for (const events of [draft, draftPartial]) {
      const err = errorOf(events, cmd.approve());
      expect([err.code, err.details]).toEqual([
        'INVALID_STATE_TRANSITION',
        {
          action: 'client-approve',
          from: 'DRAFT',
          to: 'RELEASED',
          allowedFrom: ['FUNDED', 'RELEASABLE'],
        },
      ]);
    }
  });

  it('refuses a terminal escrow with ESCROW_CLOSED, and an unknown one with 404', () => {
    for (const status of terminal) {
      spec.given(byStatus[status]).when(cmd.approve()).thenError('ESCROW_CLOSED');
    }
    spec.given([]).when(cmd.approve()).thenError('ESCROW_NOT_FOUND');
  });

  it('treats an idSeed that is not a UUID as a bug, not a user error', () => {
    expect(() => decideOn(funded, cmd.approve({ idSeed: 'seed' }))).toThrow(AssertionError);
  });
});

describe('escrow closing: client-reject', () => {
  it('refunds what a DRAFT escrow holds and cancels it, listing deposits given back and pending', () => {
    const given = [...draftPartial, usd.depositInitiated('d2', '20.00')];
    spec
      .given(given)
      .when(cmd.reject({ note: 'changed my mind' }))
      .then([
        refund(S0, '50.00').initiated({ reason: 'client_reject', heldAfter: '0.00' }),
        usd.cancelled('client_reject', {
          refundsDue: [{ depositId: 'd1', amount: '50.00' }],
          refundTotal: '50.00',
          refundPaymentId: S0,
          pendingDepositIds: ['d2'],
          note: 'changed my mind',
        }),
      ]);
    expect(fold(cancelled)).toMatchObject({ status: 'CANCELLED', refunded: '50.00', held: '0.00' });
  });

  it('cancels a DRAFT escrow that holds nothing without a refund payment', () => {
    spec
      .given(draft)
      .when(cmd.reject())
      .then([
        usd.cancelled('client_reject', {
          refundsDue: [],
          refundTotal: '0.00',
          refundPaymentId: null,
        }),
      ]);
  });

  it('refunds only what is still held after a DRAFT payout', () => {
    const draftM1Paying = [
      ...draftPartial,
      usd.approved('m1', 'release'),
      m1Payout.initiated({ reason: 'milestone_release', heldAfter: '10.00' }),
    ];
    spec
      .given(draftM1Paying)
      .when(cmd.reject())
      .then([
        refund(S0, '10.00').initiated({ reason: 'client_reject', heldAfter: '0.00' }),
        usd.cancelled('client_reject', {
          refundsDue: [{ depositId: 'd1', amount: '50.00' }],
          refundTotal: '10.00',
          refundPaymentId: S0,
        }),
      ]);
  });

  it('refunds what FUNDED and RELEASABLE escrows hold and marks them REFUNDED', () => {
    const rejection = [
      refund(S0, '100.00').initiated({ reason: 'client_reject', heldAfter: '0.00' }),
      usd.refunded('client_reject', '100.00', S0),
    ];
    spec.given(funded).when(cmd.reject()).then(rejection);
    spec.given(releasable).when(cmd.reject()).then(rejection);
    spec
      .given(fundedM1Paying)
      .when(cmd.reject({ note: 'late' }))
      .then([
        refund(S0, '60.00').initiated({ reason: 'client_reject', heldAfter: '0.00' }),
        usd.refunded('client_reject', '60.00', S0, { note: 'late' }),
      ]);
    expect(fold(refunded)).toMatchObject({ status: 'REFUNDED', refunded: '100.00', held: '0.00' });
  });

  it('marks a FUNDED escrow that holds nothing REFUNDED without a refund payment', () => {
    spec
      .given(fundedAllPaying)
      .when(cmd.reject())
      .then([usd.refunded('client_reject', '0.00', null)]);
  });

  it('refuses a terminal escrow with ESCROW_CLOSED, and an unknown one with 404', () => {
    for (const status of terminal) {
      spec.given(byStatus[status]).when(cmd.reject()).thenError('ESCROW_CLOSED');
    }
    spec.given([]).when(cmd.reject()).thenError('ESCROW_NOT_FOUND');
  });
});

describe('escrow closing: check-deadline', () => {
  const withOnDeadline = (events: EscrowEvent[], onDeadline: 'release' | 'refund' | 'none') => {
    const [first, ...rest] = events;
    if (first?.type !== 'escrow.created.v1') throw new Error('a stream starts with its creation');
    const created = {
      ...first,
      data: { ...first.data, releaseConditions: { on_deadline: onDeadline } },
    };
    return [created, ...rest];
  };

  it('does nothing before the deadline, in every state', () => {
    for (const events of [draft, ...Object.values(byStatus)]) {
      spec.given(events).when(cmd.checkDeadline(JUST_BEFORE)).then([]);
    }
    spec.given([]).when(cmd.checkDeadline(JUST_BEFORE)).thenError('ESCROW_NOT_FOUND');
    spec.given([]).when(cmd.checkDeadline(LATER)).thenError('ESCROW_NOT_FOUND');
  });

  it('cancels a due DRAFT escrow with its refund whatever on_deadline says', () => {
    const mixed = [
      usd.created(),
      usd.depositInitiated('d1', '10.00'),
      usd.depositConfirmed('d1', '10.00', '10.00'),
      usd.depositInitiated('d2', '20.00'),
      usd.depositInitiated('d3', '5.00'),
      usd.depositFailed('d3', '5.00'),
    ];
    const cancellation = (at: string) => [
      refund(S0, '10.00').initiated({ reason: 'deadline', heldAfter: '0.00', at }),
      usd.cancelled('deadline', {
        refundsDue: [{ depositId: 'd1', amount: '10.00' }],
        refundTotal: '10.00',
        refundPaymentId: S0,
        pendingDepositIds: ['d2'],
        at,
      }),
    ];
    for (const onDeadline of ['release', 'refund', 'none'] as const) {
      spec
        .given(withOnDeadline(mixed, onDeadline))
        .when(cmd.checkDeadline(DEADLINE))
        .then(cancellation(DEADLINE));
    }
    // Due at the deadline itself, compared as instants whatever the offset.
    const offset = '2026-04-01T02:00:00+02:00';
    spec.given(mixed).when(cmd.checkDeadline(offset)).then(cancellation(offset));
    expect(fold([...mixed, ...cancellation(DEADLINE)])).toMatchObject({
      status: 'CANCELLED',
      refunded: '10.00',
      held: '0.00',
    });
  });

  it('cancels a due DRAFT escrow that holds nothing without a refund payment', () => {
    spec
      .given(withOnDeadline(draft, 'none'))
      .when(cmd.checkDeadline(LATER))
      .then([
        usd.cancelled('deadline', {
          refundsDue: [],
          refundTotal: '0.00',
          refundPaymentId: null,
          at: LATER,
        }),
      ]);
  });

  it('releases a due FUNDED or RELEASABLE escrow when on_deadline is release (the default)', () => {
    const release = [
      usd.approved('m1', 'deadline', LATER),
      payout(S0, '40.00', 'm1').initiated({ reason: 'deadline', heldAfter: '60.00', at: LATER }),
      usd.approved('m2', 'deadline', LATER),
      payout(S1, '60.00', 'm2').initiated({ reason: 'deadline', heldAfter: '0.00', at: LATER }),
      usd.released('deadline', [S0, S1], { at: LATER }),
    ];
    spec.given(funded).when(cmd.checkDeadline(LATER)).then(release);
    spec.given(withOnDeadline(releasable, 'release')).when(cmd.checkDeadline(LATER)).then(release);
    spec
      .given(fundedBare)
      .when(cmd.checkDeadline(LATER))
      .then([
        payout(S0, '100.00').initiated({ reason: 'deadline', heldAfter: '0.00', at: LATER }),
        usd.released('deadline', [S0], { at: LATER }),
      ]);
  });

  it('refunds a due FUNDED or RELEASABLE escrow when on_deadline is refund', () => {
    const refundAll = [
      refund(S0, '100.00').initiated({ reason: 'deadline', heldAfter: '0.00', at: LATER }),
      usd.refunded('deadline', '100.00', S0, { at: LATER }),
    ];
    spec.given(withOnDeadline(funded, 'refund')).when(cmd.checkDeadline(LATER)).then(refundAll);
    spec.given(withOnDeadline(releasable, 'refund')).when(cmd.checkDeadline(LATER)).then(refundAll);
    spec
      .given(withOnDeadline(fundedM1Paying, 'refund'))
      .when(cmd.checkDeadline(LATER))
      .then([
        refund(S0, '60.00').initiated({ reason: 'deadline', heldAfter: '0.00', at: LATER }),
        usd.refunded('deadline', '60.00', S0, { at: LATER }),
      ]);
  });

  it('leaves a due FUNDED or RELEASABLE escrow as it is when on_deadline is none', () => {
    spec.given(withOnDeadline(funded, 'none')).when(cmd.checkDeadline(LATER)).then([]);
    spec.given(withOnDeadline(releasable, 'none')).when(cmd.checkDeadline(LATER)).then([]);
  });

  it('refuses a due terminal escrow with ESCROW_CLOSED', () => {
    for (const status of terminal) {
      spec.given(byStatus[status]).when(cmd.checkDeadline(DEADLINE)).thenError('ESCROW_CLOSED');
    }
  });
});

describe('escrow closing: currencies with 0 and 3 decimals', () => {
  const jpy = eventsIn('JPY', 0);
  const kwd = eventsIn('KWD', 3);
  const fundedIn = (c: typeof jpy, total: string, a: string, b: string) => [
    c.created({ amountTotal: total }),
    c.milestone({ milestoneId: 'm1', amount: a, sequenceIndex: 1 }),
    c.milestone({ milestoneId: 'm2', label: 'Roof', amount: b, sequenceIndex: 2 }),
    c.depositInitiated('d1', total),
    c.depositConfirmed('d1', total, total),
    c.funded(total),
  ];
  const jpyFunded = fundedIn(jpy, '5000', '2000', '3000');
  const kwdFunded = fundedIn(kwd, '1.250', '0.500', '0.750');

  it('releases a milestone with the held balance after it at scale', () => {
    spec
      .given(jpyFunded)
      .when(cmd.release('m1', 'pay-m1'))
      .then([
        jpy.approved('m1', 'release'),
        jpy
          .payment({ paymentId: 'pay-m1', kind: 'payout', amount: '2000', milestoneId: 'm1' })
          .initiated({
            reason: 'milestone_release',
            heldAfter: '3000',
          }),
      ]);
    spec
      .given(kwdFunded)
      .when(cmd.release('m1', 'pay-m1'))
      .then([
        kwd.approved('m1', 'release'),
        kwd
          .payment({ paymentId: 'pay-m1', kind: 'payout', amount: '0.500', milestoneId: 'm1' })
          .initiated({
            reason: 'milestone_release',
            heldAfter: '0.750',
          }),
      ]);
  });

  it('approves: milestones in order then the rest, at scale', () => {
    spec
      .given(jpyFunded)
      .when(cmd.approve())
      .then([
        jpy.approved('m1', 'client_approve'),
        jpy
          .payment({ paymentId: S0, kind: 'payout', amount: '2000', milestoneId: 'm1' })
          .initiated({
            reason: 'client_approve',
            heldAfter: '3000',
          }),
        jpy.approved('m2', 'client_approve'),
        jpy
          .payment({ paymentId: S1, kind: 'payout', amount: '3000', milestoneId: 'm2' })
          .initiated({
            reason: 'client_approve',
            heldAfter: '0',
          }),
        jpy.released('client_approve', [S0, S1]),
      ]);
    const kwdOne = kwdFunded.filter(
      (e) => !(e.type === 'milestone.added.v1' && e.data.milestoneId === 'm2'),
    );
    spec
      .given(kwdOne)
      .when(cmd.approve())
      .then([
        kwd.approved('m1', 'client_approve'),
        kwd
          .payment({ paymentId: S0, kind: 'payout', amount: '0.500', milestoneId: 'm1' })
          .initiated({
            reason: 'client_approve',
            heldAfter: '0.750',
          }),
        kwd.payment({ paymentId: S1, kind: 'payout', amount: '0.750' }).initiated({
          reason: 'client_approve',
          heldAfter: '0.000',
        }),
        kwd.released('client_approve', [S0, S1]),
      ]);
  });

  it('refunds on reject and on a due DRAFT deadline, at scale', () => {
    spec
      .given(jpyFunded)
      .when(cmd.reject())
      .then([
        jpy.payment({ paymentId: S0, kind: 'refund', amount: '5000' }).initiated({
          reason: 'client_reject',
          heldAfter: '0',
        }),
        jpy.refunded('client_reject', '5000', S0),
      ]);
    const kwdPartial = [
      kwd.created({ amountTotal: '1.250' }),
      kwd.depositInitiated('d1', '0.001'),
      kwd.depositConfirmed('d1', '0.001', '0.001'),
    ];
    spec
      .given(kwdPartial)
      .when(cmd.checkDeadline(LATER))
      .then([
        kwd.payment({ paymentId: S0, kind: 'refund', amount: '0.001' }).initiated({
          reason: 'deadline',
          heldAfter: '0.000',
          at: LATER,
        }),
        kwd.cancelled('deadline', {
          refundsDue: [{ depositId: 'd1', amount: '0.001' }],
          refundTotal: '0.001',
          refundPaymentId: S0,
          at: LATER,
        }),
      ]);
  });
});
