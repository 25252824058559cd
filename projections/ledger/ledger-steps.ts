/**
 * What one escrow event means to the ledger (a `Step`): an entry to post, a held balance to
 * check, both; and the invariants every step is checked against (ledger.projection.ts says which).
 */
import type { EscrowEvent } from '@kob/domain';
import type { Position, RecordedEvent } from '@kob/event-store';
import { assert, Money } from '@kob/kernel';
import {
  type LedgerAccountRef,
  escrowHeldAccount,
  normalSideOf,
  payableAccount,
  pspCashAccount,
} from './ledger-accounts';

const AMOUNT_RE = /^\d{1,18}(\.\d{1,18})?$/;
/** Running totals grow past any one amount's size (numeric is unbounded): only the form is checked. */
export const TOTAL_RE = /^\d+(\.\d+)?$/;

export interface Posting {
  debit: LedgerAccountRef;
  credit: LedgerAccountRef;
  amount: string;
  paymentId: string | null;
}

/** What one escrow event means to the ledger: an entry to post, a held balance to check, both. */
export interface Step {
  event: RecordedEvent;
  escrowId: string;
  currency: string;
  posting: Posting | null;
  /** The decider's held balance after this event, when the event carries it. */
  heldAfter: string | null;
}

export interface AccountState {
  ref: LedgerAccountRef;
  debits: Money;
  credits: Money;
  /** Whether this batch posted to it (only those rows are written back). */
  posted: boolean;
  /** When the newest entry posted to it occurred (null until its first entry). */
  updatedAt: Date | null;
}

/** The posting and check of one escrow event, or null when the event moves no money. */
export function stepOf(recorded: RecordedEvent): Step | null {
  const e = recorded as unknown as EscrowEvent;
  const step = (
    d: { escrowId: string; currency: string },
    posting: Posting | null,
    heldAfter: string | null,
  ): Step => ({ event: recorded, escrowId: d.escrowId, currency: d.currency, posting, heldAfter });
  switch (e.type) {
    case 'escrow.deposit_confirmed.v1': {
      const d = e.data;
      // Deposits after the close or above the total post too: their refund follows as a payment.
      const held = escrowHeldAccount(d.escrowId, d.currency);
      // Confirmations of the first increment carry no heldAfter: nothing to compare then.
      return step(
        d,
        posting(pspCashAccount(d.currency), held, d.amount, null),
        d.heldAfter ?? null,
      );
    }
    case 'payment.initiated.v1': {
      const d = e.data;
      const held = escrowHeldAccount(d.escrowId, d.currency);
      // A retry's amount is already payable (the failed payment never left that account).
      const p = d.retryOf ? null : posting(held, payableOf(d), d.amount, d.paymentId);
      return step(d, p, d.heldAfter ?? null);
    }
    case 'payment.sent.v1': {
      const d = e.data;
      return step(
        d,
        posting(payableOf(d), pspCashAccount(d.currency), d.amount, d.paymentId),
        null,
      );
    }
    case 'payment.failed.v1': {
      const d = e.data;
      // Failed before the PSP took it: the money never left the payable account.
      if (d.afterSent !== true) return null;
      return step(
        d,
        posting(pspCashAccount(d.currency), payableOf(d), d.amount, d.paymentId),
        null,
      );
    }
    default:
      return null;
  }
}

function posting(
  debit: LedgerAccountRef,
  credit: LedgerAccountRef,
  amount: string,
  paymentId: string | null,
): Posting {
  return { debit, credit, amount, paymentId };
}

function payableOf(d: {
  kind: Parameters<typeof payableAccount>[0];
  escrowId: string;
  beneficiaryId: Parameters<typeof payableAccount>[2];
  currency: string;
}): LedgerAccountRef {
  return payableAccount(d.kind, d.escrowId, d.beneficiaryId, d.currency);
}

/** Names the invariant, the event and the account, as the halt reason in /health shows it. */
function broken(invariant: string, s: Step, account: string, detail: string): string {
  return `ledger invariant "${invariant}" broken by ${s.event.type} ${s.event.id} on ${account}: ${detail}`;
}

export function scaleOf(s: Step, scales: ReadonlyMap<string, number>): number {
  const scale = scales.get(s.currency);
  assert(scale !== undefined, () =>
    broken(
      'currency scale known',
      s,
      s.currency,
      'no escrow.created.v1 gave this currency a scale',
    ),
  );
  return scale;
}

/** A stored decimal string as Money, asserting it fits the currency's scale (never rounded). */
export function amountOf(
  value: string,
  s: Step,
  account: string,
  scales: ReadonlyMap<string, number>,
  form: RegExp = AMOUNT_RE,
): Money {
  const scale = scaleOf(s, scales);
  const decimals = value.includes('.') ? value.split('.')[1]!.length : 0;
  assert(form.test(value) && decimals <= scale, () =>
    broken(
      'amount at currency scale',
      s,
      account,
      `"${value}" is not a ${s.currency} amount at scale ${scale}`,
    ),
  );
  return Money.of(value, s.currency, scale);
}

/** One amount, above zero, at scale, between two distinct accounts of the entry's currency. */
export function checkEntry(s: Step, scales: ReadonlyMap<string, number>): void {
  const p = s.posting;
  if (!p) return;
  const amount = amountOf(p.amount, s, p.debit.id, scales);
  assert(amount.isPositive(), () =>
    broken('entry balances', s, p.debit.id, `amount ${p.amount} is not above zero`),
  );
  assert(p.debit.id !== p.credit.id, () =>
    broken('entry balances', s, p.debit.id, 'debit and credit are one account'),
  );
  for (const account of [p.debit, p.credit]) {
    assert(account.currency === s.currency && account.id.endsWith(`:${s.currency}`), () =>
      broken(
        'entry balances',
        s,
        account.id,
        `the account is not in the entry's currency ${s.currency}`,
      ),
    );
  }
}

/** The command's time from the metadata; the store's time if the metadata lacks a valid one. */
export function occurredAt(e: RecordedEvent): Date {
  const at = typeof e.metadata.occurredAt === 'string' ? new Date(e.metadata.occurredAt) : null;
  return at && !Number.isNaN(at.getTime()) ? at : e.recordedAt;
}

function balanceOf(a: AccountState): Money {
  return normalSideOf[a.ref.kind] === 'debit'
    ? a.debits.minus(a.credits)
    : a.credits.minus(a.debits);
}

/** Posts one step's entry (if this apply inserted it) and checks the invariants after it. */
export function foldStep(
  s: Step,
  posted: ReadonlySet<string>,
  lastPosted: ReadonlyMap<string, Position>,
  accounts: ReadonlyMap<string, AccountState>,
  scales: ReadonlyMap<string, number>,
): void {
  const p = s.posting;
  const isNew = p ? posted.has(s.event.id) : isAfter(s.event.position, lastPosted.get(s.escrowId));
  if (!isNew) return;
  if (p) {
    const amount = amountOf(p.amount, s, p.debit.id, scales);
    const debit = accounts.get(p.debit.id)!;
    const credit = accounts.get(p.credit.id)!;
    const at = occurredAt(s.event);
    debit.debits = debit.debits.plus(amount);
    credit.credits = credit.credits.plus(amount);
    for (const a of [debit, credit]) {
      a.posted = true;
      if (a.updatedAt === null || at > a.updatedAt) a.updatedAt = at;
      const balance = balanceOf(a);
      assert(!balance.isNegative(), () =>
        broken('no negative balance', s, a.ref.id, `the balance would be ${balance.toString()}`),
      );
    }
  }
  if (s.heldAfter !== null) {
    const held = accounts.get(escrowHeldAccount(s.escrowId, s.currency).id)!;
    const expected = amountOf(s.heldAfter, s, held.ref.id, scales);
    const balance = balanceOf(held);
    assert(balance.equals(expected), () =>
      broken(
        'held matches heldAfter',
        s,
        held.ref.id,
        `the ledger holds ${balance.toString()}, the event says ${expected.toString()}`,
      ),
    );
  }
}

/** A step with no entry is new unless its escrow already has an entry after it (a replay). */
function isAfter(position: Position, last: Position | undefined): boolean {
  if (!last) return true;
  return position.tx !== last.tx ? position.tx > last.tx : position.pos > last.pos;
}
