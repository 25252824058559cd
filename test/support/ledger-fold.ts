/**
 * An independent fold of the escrow streams into the ledger API-RULES.md §3 describes, for tests
 * that check the ledger projector against it. It reads nothing but the raw events (stream id,
 * type, data) and imports neither the projector nor the decider nor their types, so a bug in
 * either is not copied here. It derives every balance two ways:
 * - from §3's postings table (one balanced entry per deposit confirmed, payment initiated that is
 *   not a retry, payment sent, payment failed after it was sent), as signed balances on each
 *   account's normal side, run in `$all` order so a balance that ever dips below zero is named;
 * - from where each payment and deposit ended up (§3's balance formula: held = deposited − paid −
 *   refunded − spent − failed; cash = confirmed deposits − money currently sent; a payable is
 *   what is initiated and not sent, or failed and not retried).
 * `foldProblems` reports where the two derivations (and the decider's own `heldAfter`) disagree;
 * `balanceMismatches` compares a ledger's stored balances with the fold.
 */
import Big from 'big.js';

/** A stored event as the fold needs it (RecordedEvent and a row of `events` both fit). */
export interface EscrowEventRow {
  streamId: string;
  type: string;
  data: unknown;
}

export type PaymentKindName = 'payout' | 'refund' | 'spend';
export type PaymentStatusName = 'PENDING' | 'SENT' | 'SETTLED' | 'FAILED';

export interface FoldedPayment {
  paymentId: string;
  kind: PaymentKindName;
  amount: Big;
  beneficiaryId: string;
  status: PaymentStatusName;
  retryOf: string | null;
  retriedBy: string | null;
  /** The account the payment owes its beneficiary from. */
  payable: string;
}

export interface FoldedEscrow {
  escrowId: string;
  currency: string;
  /** The last status event seen: DRAFT until funded, delivered or closed. */
  status: 'DRAFT' | 'FUNDED' | 'RELEASABLE' | 'RELEASED' | 'REFUNDED' | 'CANCELLED';
  terminal: boolean;
  heldAccount: string;
  /** Confirmed deposits (including those given back after the close or above the total). */
  deposited: Big;
  payments: Map<string, FoldedPayment>;
  /** The last `heldAfter` the decider wrote on this stream, if any. */
  heldAfter: string | null;
}

export interface LedgerFold {
  /** Balance of each account on its normal side (cash: debit; everything else: credit). */
  balances: Map<string, Big>;
  /** Per currency: the sum of entry amounts and how many entries. */
  totals: Map<string, { amount: Big; entries: number }>;
  /** The last heldAfter each escrow's events carried, by held account. */
  heldAfter: Map<string, string>;
  /** Per currency: confirmed deposits − sent payments + payments failed after sending. */
  cashFromFlows: Map<string, Big>;
  entries: number;
  /** Each currency's scale, from the escrows created in it. */
  scales: Map<string, number>;
  escrows: Map<string, FoldedEscrow>;
  /** Entries that took an account below zero on its normal side at the time they were posted. */
  negatives: string[];
}

export interface StatusBalances {
  deposited: Big;
  paid: Big;
  refunded: Big;
  spent: Big;
  failed: Big;
  held: Big;
}

const ZERO = new Big(0);
const TERMINAL = new Set(['RELEASED', 'REFUNDED', 'CANCELLED']);

/** Cash is the one asset (debit-normal); held and payable accounts are liabilities. */
export function isAssetAccount(account: string): boolean {
  return account.startsWith('psp:cash:');
}

export function currencyOfAccount(account: string): string {
  return account.slice(account.lastIndexOf(':') + 1);
}

function str(data: Record<string, unknown>, field: string): string {
  const v = data[field];
  if (typeof v !== 'string')
    throw new Error(`event field ${field} is not a string: ${JSON.stringify(v)}`);
  return v;
}

function payableOf(
  kind: string,
  escrowId: string,
  beneficiaryId: string,
  currency: string,
): string {
  if (kind === 'payout') return `provider:${beneficiaryId}:payable:${currency}`;
  if (kind === 'refund') return `client:${beneficiaryId}:refundable:${currency}`;
  if (kind === 'spend') return `payee:${escrowId}:${beneficiaryId}:payable:${currency}`;
  throw new Error(`unknown payment kind ${kind}`);
}

/** Folds the escrow events (others are skipped), in the order given: `$all` order. */
export function foldEscrowEvents(events: readonly EscrowEventRow[]): LedgerFold {
  const fold: LedgerFold = {
    balances: new Map(),
    totals: new Map(),
    heldAfter: new Map(),
    cashFromFlows: new Map(),
    entries: 0,
    scales: new Map(),
    escrows: new Map(),
    negatives: [],
  };
  const add = (map: Map<string, Big>, key: string, amount: Big) =>
    map.set(key, (map.get(key) ?? ZERO).plus(amount));
  /** One entry: the amount leaves `from` and reaches `to`, as the table says (debit, credit). */
  const post = (
    label: string,
    currency: string,
    amountText: string,
    debit: string,
    credit: string,
  ) => {
    const amount = new Big(amountText);
    // A debit raises an asset and lowers a liability; a credit the other way round.
    add(fold.balances, debit, isAssetAccount(debit) ? amount : amount.times(-1));
    add(fold.balances, credit, isAssetAccount(credit) ? amount.times(-1) : amount);
    for (const account of [debit, credit]) {
      const b = fold.balances.get(account)!;
      if (b.lt(0)) fold.negatives.push(`${label}: ${account} at ${b.toString()}`);
    }
    const total = fold.totals.get(currency) ?? { amount: ZERO, entries: 0 };
    fold.totals.set(currency, { amount: total.amount.plus(amount), entries: total.entries + 1 });
    fold.entries += 1;
  };

  for (const e of events) {
    if (!e.streamId.startsWith('escrow-')) continue;
    const d = e.data as Record<string, unknown>;
    if (e.type === 'escrow.created.v1') {
      const currency = str(d, 'currency');
      const escrowId = str(d, 'escrowId');
      fold.scales.set(currency, Math.max(fold.scales.get(currency) ?? 0, Number(d.scale)));
      fold.escrows.set(escrowId, {
        escrowId,
        currency,
        status: 'DRAFT',
        terminal: false,
        heldAccount: `escrow:${escrowId}:held:${currency}`,
        deposited: ZERO,
        payments: new Map(),
        heldAfter: null,
      });
      continue;
    }
    const escrow = typeof d.escrowId === 'string' ? fold.escrows.get(d.escrowId) : undefined;
    if (!escrow) continue;
    const cur = escrow.currency;
    const cash = `psp:cash:${cur}`;
    const held = escrow.heldAccount;
    const label = `${e.type} on ${e.streamId}`;
    switch (e.type) {
      case 'escrow.funded.v1':
        escrow.status = 'FUNDED';
        break;
      case 'escrow.delivered.v1':
        escrow.status = 'RELEASABLE';
        break;
      case 'escrow.released.v1':
      case 'escrow.refunded.v1':
      case 'escrow.cancelled.v1':
        escrow.status =
          e.type === 'escrow.released.v1'
            ? 'RELEASED'
            : e.type === 'escrow.refunded.v1'
              ? 'REFUNDED'
              : 'CANCELLED';
        escrow.terminal = TERMINAL.has(escrow.status);
        break;
      case 'escrow.deposit_confirmed.v1': {
        const amount = str(d, 'amount');
        post(label, cur, amount, cash, held);
        add(fold.cashFromFlows, cur, new Big(amount));
        escrow.deposited = escrow.deposited.plus(amount);
        if (typeof d.heldAfter === 'string') {
          escrow.heldAfter = d.heldAfter;
          fold.heldAfter.set(held, d.heldAfter);
        }
        break;
      }
      case 'payment.initiated.v1': {
        const kind = str(d, 'kind') as PaymentKindName;
        const amount = str(d, 'amount');
        const beneficiaryId = str(d, 'beneficiaryId');
        const payable = payableOf(kind, escrow.escrowId, beneficiaryId, cur);
        const retryOf = typeof d.retryOf === 'string' ? d.retryOf : null;
        // A retry posts nothing: the amount is already payable from the payment it retries.
        if (!retryOf) post(label, cur, amount, held, payable);
        const paymentId = str(d, 'paymentId');
        escrow.payments.set(paymentId, {
          paymentId,
          kind,
          amount: new Big(amount),
          beneficiaryId,
          status: 'PENDING',
          retryOf,
          retriedBy: null,
          payable,
        });
        if (retryOf) {
          const original = escrow.payments.get(retryOf);
          if (original) original.retriedBy = paymentId;
        }
        escrow.heldAfter = str(d, 'heldAfter');
        fold.heldAfter.set(held, escrow.heldAfter);
        break;
      }
      case 'payment.sent.v1':
      case 'payment.settled.v1':
      case 'payment.failed.v1': {
        const payable = payableOf(str(d, 'kind'), escrow.escrowId, str(d, 'beneficiaryId'), cur);
        const amount = str(d, 'amount');
        if (e.type === 'payment.sent.v1') {
          post(label, cur, amount, payable, cash);
          add(fold.cashFromFlows, cur, new Big(amount).times(-1));
        } else if (e.type === 'payment.failed.v1' && d.afterSent === true) {
          post(label, cur, amount, cash, payable);
          add(fold.cashFromFlows, cur, new Big(amount));
        }
        const payment = escrow.payments.get(str(d, 'paymentId'));
        if (payment) {
          payment.status =
            e.type === 'payment.sent.v1'
              ? 'SENT'
              : e.type === 'payment.settled.v1'
                ? 'SETTLED'
                : 'FAILED';
        }
        break;
      }
      default:
        break;
    }
  }
  return fold;
}

/** An escrow's balances from its deposits and where its payments ended up (§3's formula). */
export function statusBalances(escrow: FoldedEscrow): StatusBalances {
  const sum = (keep: (p: FoldedPayment) => boolean) =>
    [...escrow.payments.values()].filter(keep).reduce((acc, p) => acc.plus(p.amount), ZERO);
  const live = (kind: PaymentKindName) => (p: FoldedPayment) =>
    p.kind === kind && p.status !== 'FAILED';
  const paid = sum(live('payout'));
  const refunded = sum(live('refund'));
  const spent = sum(live('spend'));
  const failed = sum((p) => p.status === 'FAILED' && p.retriedBy === null);
  const held = escrow.deposited.minus(paid).minus(refunded).minus(spent).minus(failed);
  return { deposited: escrow.deposited, paid, refunded, spent, failed, held };
}

/** Per currency: confirmed deposits − the money the PSP has sent and not had back. */
export function cashFromStatuses(fold: LedgerFold): Map<string, Big> {
  const cash = new Map<string, Big>();
  for (const escrow of fold.escrows.values()) {
    let c = (cash.get(escrow.currency) ?? ZERO).plus(escrow.deposited);
    for (const p of escrow.payments.values()) {
      if (p.status === 'SENT' || p.status === 'SETTLED') c = c.minus(p.amount);
    }
    cash.set(escrow.currency, c);
  }
  return cash;
}

/** Per payable account: payments initiated and not sent, or failed and not retried. */
export function payablesFromStatuses(fold: LedgerFold): Map<string, Big> {
  const owed = new Map<string, Big>();
  for (const escrow of fold.escrows.values()) {
    for (const p of escrow.payments.values()) {
      const counts = p.status === 'PENDING' || (p.status === 'FAILED' && p.retriedBy === null);
      const before = owed.get(p.payable) ?? ZERO;
      owed.set(p.payable, counts ? before.plus(p.amount) : before);
    }
  }
  return owed;
}

const fmt = (b: Big | undefined) => (b ?? ZERO).toString();

/**
 * Where the fold disagrees with itself: the postings against the statuses, against the
 * decider's heldAfter, a negative balance, a closed escrow holding money, assets ≠ liabilities.
 */
export function foldProblems(fold: LedgerFold): string[] {
  const problems = [...fold.negatives.map((n) => `negative balance after ${n}`)];
  for (const escrow of fold.escrows.values()) {
    const posted = fold.balances.get(escrow.heldAccount) ?? ZERO;
    const fromStatuses = statusBalances(escrow).held;
    if (!posted.eq(fromStatuses)) {
      problems.push(
        `${escrow.heldAccount}: postings give ${fmt(posted)}, payment statuses give ${fmt(fromStatuses)}`,
      );
    }
    if (escrow.heldAfter !== null && !posted.eq(escrow.heldAfter)) {
      problems.push(
        `${escrow.heldAccount}: postings give ${fmt(posted)}, the last heldAfter says ${escrow.heldAfter}`,
      );
    }
    if (escrow.terminal && !posted.eq(0))
      problems.push(`${escrow.heldAccount}: ${escrow.status} but holds ${fmt(posted)}`);
  }
  const statusCash = cashFromStatuses(fold);
  for (const currency of new Set([...statusCash.keys(), ...fold.cashFromFlows.keys()])) {
    const posted = fold.balances.get(`psp:cash:${currency}`) ?? ZERO;
    const flows = fold.cashFromFlows.get(currency) ?? ZERO;
    const statuses = statusCash.get(currency) ?? ZERO;
    if (!posted.eq(flows) || !posted.eq(statuses)) {
      problems.push(
        `psp:cash:${currency}: postings ${fmt(posted)}, deposits − sent ${fmt(flows)}, from statuses ${fmt(statuses)}`,
      );
    }
    const liabilities = [...fold.balances]
      .filter(([account]) => !isAssetAccount(account) && currencyOfAccount(account) === currency)
      .reduce((acc, [, b]) => acc.plus(b), ZERO);
    if (!liabilities.eq(posted))
      problems.push(`${currency}: liabilities ${fmt(liabilities)} ≠ cash ${fmt(posted)}`);
  }
  for (const [account, owed] of payablesFromStatuses(fold)) {
    const posted = fold.balances.get(account) ?? ZERO;
    if (!posted.eq(owed))
      problems.push(`${account}: postings give ${fmt(posted)}, payment statuses give ${fmt(owed)}`);
  }
  return problems;
}

/**
 * Stored balances (normal side, as decimal strings) against the fold's: an account on one side
 * only, a different amount, or an amount with more decimals than its currency's scale.
 */
export function balanceMismatches(fold: LedgerFold, stored: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const account of new Set([...fold.balances.keys(), ...stored.keys()])) {
    const expected = fold.balances.get(account);
    const actual = stored.get(account);
    if (expected === undefined || actual === undefined) {
      problems.push(
        `${account}: ledger ${actual ?? '(none)'}, fold ${expected?.toString() ?? '(none)'}`,
      );
      continue;
    }
    if (!new Big(actual).eq(expected))
      problems.push(`${account}: ledger ${actual}, fold ${expected.toString()}`);
    const scale = fold.scales.get(currencyOfAccount(account));
    if (scale !== undefined && !expected.eq(expected.round(scale, Big.roundDown))) {
      problems.push(`${account}: the fold's ${expected.toString()} is not at scale ${scale}`);
    }
  }
  return problems;
}
