/**
 * The escrow decider's rules as given/when/then specs: creation, deposits (synchronous and
 * webhook confirmation, failure, the pending cap, funding at exactly the total, confirmation
 * after close), milestones, delivery and the DRAFT deadline, in USD (scale 2), JPY (0) and
 * KWD (3), and every state × action cell of API-RULES.md §2 this increment covers. RELEASED and
 * REFUNDED cannot be reached by this increment's events, so their cells run on a folded state
 * whose status is set directly.
 */
import { AssertionError, DomainError } from '../../../kernel/src';
import { deciderSpec } from '../testing/decider-spec';
import type { EscrowCommand } from './escrow.commands';
import { escrowDecider } from './escrow.decider';
import type { EscrowCreatedData, EscrowEvent, MilestoneAddedData } from './escrow.events';
import type { EscrowState, EscrowStatus } from './escrow.state';

const spec = deciderSpec(escrowDecider);
const E = 'e1';
const NOW = '2026-03-01T10:00:00.000Z';
const DEADLINE = '2026-04-01T00:00:00.000Z';
const LATER = '2026-04-02T00:00:00.000Z';

const createCmd = (over: Partial<Extract<EscrowCommand, { type: 'CreateEscrow' }>> = {}) =>
  ({
    type: 'CreateEscrow',
    escrowId: E,
    clientId: 'c1',
    providerId: 'p1',
    amountTotal: '100.00',
    currency: 'USD',
    scale: 2,
    releaseConditions: {},
    deadlineAt: DEADLINE,
    now: NOW,
    ...over,
  }) satisfies EscrowCommand;

const created = (over: Partial<EscrowCreatedData> = {}): EscrowEvent => ({
  type: 'escrow.created.v1',
  data: {
    escrowId: E,
    clientId: 'c1',
    providerId: 'p1',
    amountTotal: '100.00',
    currency: 'USD',
    scale: 2,
    releaseConditions: { on_deadline: 'release' },
    deadlineAt: DEADLINE,
    domain: 'private',
    createdAt: NOW,
    ...over,
  },
});
const initiated = (depositId: string, amount: string, currency = 'USD'): EscrowEvent => ({
  type: 'escrow.deposit_initiated.v1',
  data: { escrowId: E, depositId, amount, currency, initiatedAt: NOW },
});
const confirmed = (depositId: string, amount: string, afterClose = false, currency = 'USD') =>
  ({
    type: 'escrow.deposit_confirmed.v1',
    data: {
      escrowId: E,
      depositId,
      amount,
      currency,
      pspRef: `psp-${depositId}`,
      afterClose,
      confirmedAt: NOW,
    },
  }) satisfies EscrowEvent;
const failed = (depositId: string, amount: string): EscrowEvent => ({
  type: 'escrow.deposit_failed.v1',
  data: { escrowId: E, depositId, amount, currency: 'USD', reason: 'declined', failedAt: NOW },
});
const funded = (amountTotal = '100.00', currency = 'USD'): EscrowEvent => ({
  type: 'escrow.funded.v1',
  data: { escrowId: E, amountTotal, currency, fundedAt: NOW },
});
const delivered: EscrowEvent = {
  type: 'escrow.delivered.v1',
  data: { escrowId: E, note: null, proofUrl: null, deliveredAt: NOW },
};
const milestone = (over: Partial<MilestoneAddedData> = {}): EscrowEvent => ({
  type: 'milestone.added.v1',
  data: {
    escrowId: E,
    milestoneId: 'm1',
    label: 'Foundations',
    amount: '40.00',
    currency: 'USD',
    sequenceIndex: 1,
    status: 'WAITING',
    proofKind: 'PHOTO',
    proofRequirements: {},
    geofence: null,
    addedAt: NOW,
    ...over,
  },
});
const cancelledEvent: EscrowEvent = {
  type: 'escrow.cancelled.v1',
  data: {
    escrowId: E,
    reason: 'deadline',
    currency: 'USD',
    refundsDue: [],
    refundTotal: '0.00',
    pendingDepositIds: [],
    cancelledAt: LATER,
  },
};

const draft = [created()];
const fundedStream = [created(), initiated('d1', '100.00'), confirmed('d1', '100.00'), funded()];
const releasable = [...fundedStream, delivered];
const cancelled = [created(), cancelledEvent];

const deposit = (depositId: string, amount: string, pspRef: string | null = null) =>
  ({
    type: 'Deposit',
    escrowId: E,
    depositId,
    amount,
    pspConfirmed: pspRef === null ? null : { pspRef },
    now: NOW,
  }) satisfies EscrowCommand;
const addMilestone = (
  over: Partial<Extract<EscrowCommand, { type: 'AddMilestone' }>> = {},
): EscrowCommand => ({
  type: 'AddMilestone',
  escrowId: E,
  milestoneId: 'm1',
  label: 'Foundations',
  amount: '40.00',
  currency: 'USD',
  sequenceIndex: 1,
  now: NOW,
  ...over,
});
const markDelivered: EscrowCommand = { type: 'MarkDelivered', escrowId: E, now: NOW };
const checkDeadline = (now: string): EscrowCommand => ({ type: 'CheckDeadline', escrowId: E, now });

function fold(events: EscrowEvent[]): EscrowState {
  return events.reduce(escrowDecider.evolve, escrowDecider.initialState());
}

/** The error a command raises on a state (for cells whose details matter, or crafted states). */
function errorOf(command: EscrowCommand, state: EscrowState): DomainError {
  try {
    escrowDecider.decide(command, state);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

/** RELEASED and REFUNDED come with payouts; a funded escrow whose status is set stands in. */
const craftedTerminal = (status: EscrowStatus): EscrowState => ({
  ...fold(fundedStream),
  status,
});

describe('escrow decider: create', () => {
  it('creates a DRAFT escrow with the defaults written out and other conditions kept', () => {
    spec
      .given([])
      .when(createCmd({ releaseConditions: { note: 'keep me', nested: { a: 1 } } }))
      .then([
        created({
          releaseConditions: { note: 'keep me', nested: { a: 1 }, on_deadline: 'release' },
        }),
      ]);
    expect(fold(draft).status).toBe('DRAFT');
  });

  it('accepts every on_deadline value and domain, and refuses anything else with 422', () => {
    for (const onDeadline of ['release', 'refund', 'none'] as const) {
      spec
        .given([])
        .when(createCmd({ releaseConditions: { on_deadline: onDeadline }, domain: 'aid' }))
        .then([created({ releaseConditions: { on_deadline: onDeadline }, domain: 'aid' })]);
    }
    spec
      .given([])
      .when(createCmd({ domain: 'public' }))
      .then([created({ domain: 'public' })]);
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
    for (const over of bad) spec.given([]).when(createCmd(over)).thenError('VALIDATION_ERROR');
  });

  it('keeps amounts at the currency scale: USD 2, JPY 0, KWD 3', () => {
    spec
      .given([])
      .when(createCmd({ amountTotal: '100.001' }))
      .thenError('AMOUNT_PRECISION');
    spec
      .given([])
      .when(createCmd({ amountTotal: '5000', currency: 'JPY', scale: 0 }))
      .then([created({ amountTotal: '5000', currency: 'JPY', scale: 0 })]);
    spec
      .given([])
      .when(createCmd({ amountTotal: '5000.5', currency: 'JPY', scale: 0 }))
      .thenError('AMOUNT_PRECISION');
    spec
      .given([])
      .when(createCmd({ amountTotal: '1.25', currency: 'KWD', scale: 3 }))
      .then([created({ amountTotal: '1.250', currency: 'KWD', scale: 3 })]);
    spec
      .given([])
      .when(createCmd({ amountTotal: '1.2501', currency: 'KWD', scale: 3 }))
      .thenError('AMOUNT_PRECISION');
  });

  it('refuses to create an escrow that exists, in every state', () => {
    for (const given of [draft, fundedStream, releasable, cancelled]) {
      spec.given(given).when(createCmd()).thenError('ESCROW_EXISTS');
    }
    for (const status of ['RELEASED', 'REFUNDED'] as const) {
      expect(errorOf(createCmd(), craftedTerminal(status)).code).toBe('ESCROW_EXISTS');
    }
  });
});

describe('escrow decider: deposits', () => {
  it('initiates a pending deposit that does not count until confirmed', () => {
    spec
      .given(draft)
      .when(deposit('d1', '30.00'))
      .then([initiated('d1', '30.00')]);
    const state = fold([...draft, initiated('d1', '30.00')]);
    expect([state.deposited, state.pending, state.held, state.status]).toEqual([
      '0.00',
      '30.00',
      '0.00',
      'DRAFT',
    ]);
  });

  it('records a synchronous PSP confirmation in the same decision', () => {
    spec
      .given(draft)
      .when(deposit('d1', '30', 'psp-d1'))
      .then([initiated('d1', '30.00'), confirmed('d1', '30.00')]);
  });

  it('funds exactly at the total, in USD, JPY and KWD', () => {
    spec
      .given([...draft, initiated('d1', '60.00'), confirmed('d1', '60.00')])
      .when(deposit('d2', '40.00', 'psp-d2'))
      .then([initiated('d2', '40.00'), confirmed('d2', '40.00'), funded()]);
    const jpy = created({ amountTotal: '5000', currency: 'JPY', scale: 0 });
    spec
      .given([jpy])
      .when(deposit('d1', '5000', 'psp-d1'))
      .then([
        initiated('d1', '5000', 'JPY'),
        confirmed('d1', '5000', false, 'JPY'),
        funded('5000', 'JPY'),
      ]);
    spec
      .given([jpy])
      .when(deposit('d1', '1.5', 'psp-d1'))
      .thenError('AMOUNT_PRECISION');
    const kwd = created({ amountTotal: '1.250', currency: 'KWD', scale: 3 });
    const kwdPart = [kwd, initiated('d1', '1.249', 'KWD'), confirmed('d1', '1.249', false, 'KWD')];
    spec
      .given(kwdPart)
      .when(deposit('d2', '0.001', 'psp-d2'))
      .then([
        initiated('d2', '0.001', 'KWD'),
        confirmed('d2', '0.001', false, 'KWD'),
        funded('1.250', 'KWD'),
      ]);
    spec
      .given(kwdPart)
      .when(deposit('d2', '0.002', 'psp-d2'))
      .thenError('DEPOSIT_EXCEEDS_TOTAL');
    expect(fold([...fundedStream]).status).toBe('FUNDED');
  });

  it('counts pending deposits toward the cap, down to one minor unit', () => {
    const pending60 = [...draft, initiated('d1', '60.00')];
    spec.given(pending60).when(deposit('d2', '40.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
    spec
      .given(pending60)
      .when(deposit('d2', '40.00'))
      .then([initiated('d2', '40.00')]);
    // Funded only when confirmed: the pending 60 keeps the escrow DRAFT.
    spec
      .given(pending60)
      .when(deposit('d2', '40.00', 'psp-d2'))
      .then([initiated('d2', '40.00'), confirmed('d2', '40.00')]);
    spec.given(draft).when(deposit('d1', '100.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
  });

  it('refuses bad amounts with 422', () => {
    spec.given(draft).when(deposit('d1', '0.00')).thenError('VALIDATION_ERROR');
    spec.given(draft).when(deposit('d1', '-5.00')).thenError('VALIDATION_ERROR');
    spec.given(draft).when(deposit('d1', '1.005')).thenError('AMOUNT_PRECISION');
  });

  it('covers the deposit row of §2 in every state', () => {
    spec.given([]).when(deposit('d1', '1.00')).thenError('ESCROW_NOT_FOUND');
    spec.given(fundedStream).when(deposit('d2', '0.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
    spec.given(releasable).when(deposit('d2', '0.01')).thenError('DEPOSIT_EXCEEDS_TOTAL');
    spec.given(cancelled).when(deposit('d2', '1.00')).thenError('ESCROW_CLOSED');
    for (const status of ['RELEASED', 'REFUNDED'] as const) {
      expect(errorOf(deposit('d2', '1.00'), craftedTerminal(status)).code).toBe('ESCROW_CLOSED');
    }
  });

  it('appends nothing for a deposit id already on the stream (a replay)', () => {
    spec
      .given([...draft, initiated('d1', '30.00')])
      .when(deposit('d1', '30.00'))
      .then([]);
  });
});

describe('escrow decider: deposit confirmation and failure (webhook path)', () => {
  const confirm = (depositId: string): EscrowCommand => ({
    type: 'ConfirmDeposit',
    escrowId: E,
    depositId,
    pspRef: `psp-${depositId}`,
    now: NOW,
  });
  const fail = (depositId: string): EscrowCommand => ({
    type: 'FailDeposit',
    escrowId: E,
    depositId,
    reason: 'declined',
    now: NOW,
  });
  const pending = [...draft, initiated('d1', '60.00')];

  it('confirms a pending deposit, and funds when it completes the total', () => {
    spec
      .given(pending)
      .when(confirm('d1'))
      .then([confirmed('d1', '60.00')]);
    const full = [
      ...draft,
      initiated('d1', '60.00'),
      initiated('d2', '40.00'),
      confirmed('d2', '40.00'),
    ];
    spec
      .given(full)
      .when(confirm('d1'))
      .then([confirmed('d1', '60.00'), funded()]);
  });

  it('fails a pending deposit, which frees its room under the cap', () => {
    spec
      .given(pending)
      .when(fail('d1'))
      .then([failed('d1', '60.00')]);
    const afterFail = [...pending, failed('d1', '60.00')];
    expect(fold(afterFail).pending).toBe('0.00');
    spec
      .given(afterFail)
      .when(deposit('d2', '100.00'))
      .then([initiated('d2', '100.00')]);
  });

  it('moves only PENDING deposits: repeats append nothing, crossings are refused', () => {
    const done = [...pending, confirmed('d1', '60.00')];
    spec.given(done).when(confirm('d1')).then([]);
    spec.given(done).when(fail('d1')).thenError('INVALID_STATE_TRANSITION');
    const lost = [...pending, failed('d1', '60.00')];
    spec.given(lost).when(fail('d1')).then([]);
    spec.given(lost).when(confirm('d1')).thenError('INVALID_STATE_TRANSITION');
    expect(errorOf(confirm('d1'), fold(lost)).details).toEqual({
      action: 'confirm-deposit',
      from: 'FAILED',
      to: 'CONFIRMED',
    });
  });

  it('refuses unknown deposits and escrows with 404', () => {
    spec.given(pending).when(confirm('d9')).thenError('DEPOSIT_NOT_FOUND');
    spec.given(pending).when(fail('d9')).thenError('DEPOSIT_NOT_FOUND');
    spec.given([]).when(confirm('d1')).thenError('ESCROW_NOT_FOUND');
  });

  it('records a confirmation after close, flagged for refund and never funding', () => {
    const closedWithPending = [...pending, { ...cancelledEvent }];
    spec
      .given(closedWithPending)
      .when(confirm('d1'))
      .then([confirmed('d1', '60.00', true)]);
    const state = fold([...closedWithPending, confirmed('d1', '60.00', true)]);
    expect([state.status, state.deposited, state.pending, state.refundDue]).toEqual([
      'CANCELLED',
      '60.00',
      '0.00',
      '60.00',
    ]);
    spec
      .given(closedWithPending)
      .when(fail('d1'))
      .then([failed('d1', '60.00')]);
  });
});

describe('escrow decider: milestones', () => {
  it('adds a WAITING milestone with defaults, in DRAFT and FUNDED', () => {
    spec.given(draft).when(addMilestone()).then([milestone()]);
    spec.given(fundedStream).when(addMilestone()).then([milestone()]);
    const geofence = { lat: -90, lng: 180, radiusM: 0.5 };
    const full = addMilestone({
      proofKind: 'INVOICE',
      proofRequirements: { vendor: 'x' },
      geofence,
    });
    spec
      .given(draft)
      .when(full)
      .then([milestone({ proofKind: 'INVOICE', proofRequirements: { vendor: 'x' }, geofence })]);
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
    for (const over of bad)
      spec.given(draft).when(addMilestone(over)).thenError('VALIDATION_ERROR');
    spec
      .given(draft)
      .when(addMilestone({ label: 'x'.repeat(255) }))
      .then([milestone({ label: 'x'.repeat(255) })]);
    spec
      .given(draft)
      .when(addMilestone({ amount: '1.001' }))
      .thenError('AMOUNT_PRECISION');
  });

  it('enforces currency, unique sequence and the total (equality allowed)', () => {
    spec
      .given(draft)
      .when(addMilestone({ currency: 'EUR' }))
      .thenError('MILESTONE_CURRENCY_MISMATCH');
    const one = [...draft, milestone()];
    spec
      .given(one)
      .when(addMilestone({ milestoneId: 'm2' }))
      .thenError('MILESTONE_SEQUENCE_EXISTS');
    const second = { milestoneId: 'm2', sequenceIndex: 2, amount: '60.00' };
    spec
      .given(one)
      .when(addMilestone(second))
      .then([milestone(second)]);
    spec
      .given(one)
      .when(addMilestone({ ...second, amount: '60.01' }))
      .thenError('MILESTONE_TOTAL_EXCEEDED');
  });

  it('sums milestones at scale 0 and 3', () => {
    const jpy = [created({ amountTotal: '5000', currency: 'JPY', scale: 0 })];
    const m = { currency: 'JPY', amount: '5000' };
    spec
      .given(jpy)
      .when(addMilestone(m))
      .then([milestone(m)]);
    spec
      .given(jpy)
      .when(addMilestone({ ...m, amount: '5001' }))
      .thenError('MILESTONE_TOTAL_EXCEEDED');
    spec
      .given(jpy)
      .when(addMilestone({ ...m, amount: '10.5' }))
      .thenError('AMOUNT_PRECISION');
    const kwd = [created({ amountTotal: '1.250', currency: 'KWD', scale: 3 })];
    const k = { currency: 'KWD', amount: '1.25' };
    spec
      .given(kwd)
      .when(addMilestone(k))
      .then([milestone({ ...k, amount: '1.250' })]);
    spec
      .given(kwd)
      .when(addMilestone({ ...k, amount: '1.251' }))
      .thenError('MILESTONE_TOTAL_EXCEEDED');
  });

  it('covers the add-milestone row of §2 in every state', () => {
    spec.given([]).when(addMilestone()).thenError('ESCROW_NOT_FOUND');
    const err = errorOf(addMilestone(), fold(releasable));
    expect([err.code, err.details]).toEqual([
      'INVALID_STATE_TRANSITION',
      {
        action: 'add-milestone',
        from: 'RELEASABLE',
        to: 'RELEASABLE',
        allowedFrom: ['DRAFT', 'FUNDED'],
      },
    ]);
    spec.given(cancelled).when(addMilestone()).thenError('ESCROW_CLOSED');
    for (const status of ['RELEASED', 'REFUNDED'] as const) {
      expect(errorOf(addMilestone(), craftedTerminal(status)).code).toBe('ESCROW_CLOSED');
    }
  });

  it('appends nothing for a milestone id already on the stream', () => {
    spec
      .given([...draft, milestone()])
      .when(addMilestone())
      .then([]);
  });
});

describe('escrow decider: mark-delivered', () => {
  it('moves FUNDED to RELEASABLE, carrying the optional note and proof url', () => {
    spec.given(fundedStream).when(markDelivered).then([delivered]);
    const withNote: EscrowCommand = { ...markDelivered, note: 'done', proofUrl: 'https://x/p.jpg' };
    spec
      .given(fundedStream)
      .when(withNote)
      .then([
        { ...delivered, data: { ...delivered.data, note: 'done', proofUrl: 'https://x/p.jpg' } },
      ]);
    expect(fold(releasable).status).toBe('RELEASABLE');
    const longNote: EscrowCommand = { ...markDelivered, note: 'x'.repeat(2001) };
    spec.given(fundedStream).when(longNote).thenError('VALIDATION_ERROR');
  });

  it('covers the mark-delivered row of §2 in every state', () => {
    spec.given([]).when(markDelivered).thenError('ESCROW_NOT_FOUND');
    for (const [given, from] of [
      [draft, 'DRAFT'],
      [releasable, 'RELEASABLE'],
    ] as const) {
      const err = errorOf(markDelivered, fold([...given]));
      expect([err.code, err.details]).toEqual([
        'INVALID_STATE_TRANSITION',
        { action: 'mark-delivered', from, to: 'RELEASABLE', allowedFrom: ['FUNDED'] },
      ]);
    }
    spec.given(cancelled).when(markDelivered).thenError('ESCROW_CLOSED');
    for (const status of ['RELEASED', 'REFUNDED'] as const) {
      expect(errorOf(markDelivered, craftedTerminal(status)).code).toBe('ESCROW_CLOSED');
    }
  });
});

describe('escrow decider: check-deadline', () => {
  it('does nothing before the deadline, in any state', () => {
    for (const given of [draft, fundedStream, releasable, cancelled]) {
      spec.given(given).when(checkDeadline(NOW)).then([]);
    }
    spec.given(draft).when(checkDeadline('2026-03-31T23:59:59.999Z')).then([]);
    spec.given([]).when(checkDeadline(LATER)).thenError('ESCROW_NOT_FOUND');
  });

  it('cancels a due DRAFT escrow whatever on_deadline says, listing the refunds owed', () => {
    const mixed = [
      created({ releaseConditions: { on_deadline: 'none' } }),
      initiated('d1', '10.00'),
      confirmed('d1', '10.00'),
      initiated('d2', '20.00'),
      initiated('d3', '5.00'),
      failed('d3', '5.00'),
    ];
    const expected: EscrowEvent = {
      type: 'escrow.cancelled.v1',
      data: {
        escrowId: E,
        reason: 'deadline',
        currency: 'USD',
        refundsDue: [{ depositId: 'd1', amount: '10.00' }],
        refundTotal: '10.00',
        pendingDepositIds: ['d2'],
        cancelledAt: DEADLINE,
      },
    };
    // Due at the deadline itself, compared as instants whatever the offset.
    spec
      .given(mixed)
      .when(checkDeadline('2026-04-01T02:00:00+02:00'))
      .then([
        { ...expected, data: { ...expected.data, cancelledAt: '2026-04-01T02:00:00+02:00' } },
      ]);
    spec.given(mixed).when(checkDeadline(DEADLINE)).then([expected]);
    const state = fold([...mixed, expected]);
    expect([state.status, state.refundDue, state.held]).toEqual(['CANCELLED', '10.00', '10.00']);
  });

  it('refuses a due terminal escrow with ESCROW_CLOSED', () => {
    spec.given(cancelled).when(checkDeadline(LATER)).thenError('ESCROW_CLOSED');
    for (const status of ['RELEASED', 'REFUNDED'] as const) {
      expect(errorOf(checkDeadline(LATER), craftedTerminal(status)).code).toBe('ESCROW_CLOSED');
    }
  });

  it('deadline release/refund for FUNDED escrows arrives with payouts (issue 4, next increment)', () => {
    spec.given(fundedStream).when(checkDeadline(LATER)).then([]);
    spec.given(releasable).when(checkDeadline(LATER)).then([]);
  });
});

describe('escrow decider: state and invariants', () => {
  it('folds balances: deposited is confirmed only, held equals deposited until payouts', () => {
    const state = fold([
      ...draft,
      initiated('d1', '10.00'),
      confirmed('d1', '10.00'),
      initiated('d2', '20.00'),
      milestone(),
    ]);
    expect(state).toMatchObject({
      deposited: '10.00',
      pending: '20.00',
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
    expect(fold([initiated('d1', '1.00'), funded()])).toEqual(escrowDecider.initialState());
  });

  it('decide asserts the balance invariants of the state it is given', () => {
    const broken = { ...fold(draft), pending: '-1.00' };
    expect(() => escrowDecider.decide(deposit('d1', '1.00'), broken)).toThrow(AssertionError);
    const over = { ...fold(draft), deposited: '60.00', pending: '50.00' };
    expect(() => escrowDecider.decide(markDelivered, over)).toThrow(AssertionError);
  });
});
