/**
 * The double-entry ledger (API-RULES.md §3, ARCHITECTURE.md "Read models"): one balanced journal
 * entry per escrow event that moves money, in `$all` order, and every account's running debit and
 * credit totals, one ledger per currency (every account id ends with its currency):
 *
 *   deposit confirmed (every one)        debit psp:cash            credit escrow:{E}:held
 *   payment initiated (not a retry)      debit escrow:{E}:held     credit the kind's payable account
 *   payment sent                         debit the payable account credit psp:cash
 *   payment failed after it was sent     debit psp:cash            credit the payable account
 *
 * A retry (`retryOf`) posts nothing: its amount is still payable from the payment it retries. The
 * projector asserts the ledger's invariants and never clamps: each entry balances (one amount > 0,
 * at the currency's scale, both accounts in its currency), no account goes below zero on its
 * normal side, and the held account equals the decider's own `heldAfter` wherever an event
 * carries it. A break throws, which rolls the batch back and halts this projector (/health shows
 * it); the other projectors keep going.
 *
 * Replays are no-ops (STYLE.md §7): an entry is keyed by its event id and balances move only for
 * entries this apply inserted. A batch costs a fixed number of statements, whatever its size.
 */
import { sql, type Transaction } from 'kysely';
import type { EscrowEvent } from '@kob/domain';
import type { Position, RecordedEvent } from '@kob/event-store';
import { assert } from '@kob/kernel';
import { Money } from '@kob/kernel';
import {
  type LedgerAccountRef,
  escrowHeldAccount,
  normalSideOf,
  payableAccount,
  pspCashAccount,
} from './ledger-accounts';
import type { NewLedgerAccountRow, NewLedgerEntryRow } from './ledger.table';

const ESCROW_STREAM_PREFIX = 'escrow-';
/** Rows per INSERT: 11 parameters each stays far below PostgreSQL's 65535 per statement. */
const INSERT_ROWS_MAX = 1000;
const AMOUNT_RE = /^\d{1,18}(\.\d{1,18})?$/;
/** Running totals grow past any one amount's size (numeric is unbounded): only the form is checked. */
const TOTAL_RE = /^\d+(\.\d+)?$/;

interface Posting {
  debit: LedgerAccountRef;
  credit: LedgerAccountRef;
  amount: string;
  paymentId: string | null;
}

/** What one escrow event means to the ledger: an entry to post, a held balance to check, both. */
interface Step {
  event: RecordedEvent;
  escrowId: string;
  currency: string;
  posting: Posting | null;
  /** The decider's held balance after this event, when the event carries it. */
  heldAfter: string | null;
}

interface AccountState {
  ref: LedgerAccountRef;
  debits: Money;
  credits: Money;
  /** Whether this batch posted to it (only those rows are written back). */
  posted: boolean;
  /** When the newest entry posted to it occurred (null until its first entry). */
  updatedAt: Date | null;
}

export const ledgerProjection = {
  name: 'ledger',
  // A posting it cannot make means balances no longer add up: halt, never park and go on.
  guardsMoney: true,
  // It posts escrow events only: a halt holds the answers of money commands, not of the others.
  streamCategories: ['escrow'],
  version: 1,
  tables: ['ledger_entries', 'ledger_accounts', 'ledger_currencies'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    const escrowEvents = events.filter((e) => e.streamId.startsWith(ESCROW_STREAM_PREFIX));
    if (escrowEvents.length === 0) return;
    await recordScales(trx, escrowEvents);
    const steps = escrowEvents.map(stepOf).filter((s): s is Step => s !== null);
    if (steps.length === 0) return;
    const scales = await loadScales(trx, steps);
    for (const s of steps) checkEntry(s, scales);
    // Read before this batch's inserts: it tells a first apply from a replay for the steps that
    // post nothing but still check the held balance (a retry).
    const lastPosted = await lastPostedPositions(trx, steps);
    const posted = await insertEntries(trx, steps);
    const accounts = await loadAccounts(trx, steps, posted, scales);
    for (const s of steps) foldStep(s, posted, lastPosted, accounts, scales);
    await saveAccounts(trx, accounts);
  },
};

/** The posting and check of one escrow event, or null when the event moves no money. */
function stepOf(recorded: RecordedEvent): Step | null {
  const e = recorded as unknown as EscrowEvent;
  const step = (
    d: { escrowId: string; currency: string },
    posting: Posting | null,
    heldAfter: string | null,
  ) => ({
    event: recorded,
    escrowId: d.escrowId,
    currency: d.currency,
    posting,
    heldAfter,
  });
  switch (e.type) {
    case 'escrow.deposit_confirmed.v1': {
      const d = e.data;
      const held = escrowHeldAccount(d.escrowId, d.currency);
      // Deposits after the close or above the total post too: their refund follows as a payment.
      const posting = {
        debit: pspCashAccount(d.currency),
        credit: held,
        amount: d.amount,
        paymentId: null,
      };
      // Confirmations of the first increment carry no heldAfter: nothing to compare then.
      return step(d, posting, d.heldAfter ?? null);
    }
    case 'payment.initiated.v1': {
      const d = e.data;
      const payable = payableAccount(d.kind, d.escrowId, d.beneficiaryId, d.currency);
      const held = escrowHeldAccount(d.escrowId, d.currency);
      // A retry's amount is already payable (the failed payment never left that account).
      const posting = d.retryOf
        ? null
        : { debit: held, credit: payable, amount: d.amount, paymentId: d.paymentId };
      return step(d, posting, d.heldAfter ?? null);
    }
    case 'payment.sent.v1': {
      const d = e.data;
      const payable = payableAccount(d.kind, d.escrowId, d.beneficiaryId, d.currency);
      return step(
        d,
        {
          debit: payable,
          credit: pspCashAccount(d.currency),
          amount: d.amount,
          paymentId: d.paymentId,
        },
        null,
      );
    }
    case 'payment.failed.v1': {
      const d = e.data;
      // Failed before the PSP took it: the money never left the payable account.
      if (d.afterSent !== true) return null;
      const payable = payableAccount(d.kind, d.escrowId, d.beneficiaryId, d.currency);
      return step(
        d,
        {
          debit: pspCashAccount(d.currency),
          credit: payable,
          amount: d.amount,
          paymentId: d.paymentId,
        },
        null,
      );
    }
    default:
      return null;
  }
}

/**
 * Keeps each currency's scale from escrow creations, so balances leave the API at it. A scale
 * only ever grows here: an amount stored at the older, smaller scale still fits the larger one.
 */
async function recordScales(
  trx: Transaction<any>,
  events: readonly RecordedEvent[],
): Promise<void> {
  const scales = new Map<string, number>();
  for (const recorded of events) {
    const e = recorded as unknown as EscrowEvent;
    if (e.type !== 'escrow.created.v1') continue;
    scales.set(e.data.currency, Math.max(scales.get(e.data.currency) ?? 0, e.data.scale));
  }
  if (scales.size === 0) return;
  await trx
    .insertInto('ledger_currencies')
    .values([...scales].map(([currency, scale]) => ({ currency, scale })))
    .onConflict((oc) =>
      oc.column('currency').doUpdateSet((eb) => ({
        scale: eb.fn('greatest', [eb.ref('ledger_currencies.scale'), eb.ref('excluded.scale')]),
      })),
    )
    .execute();
}

async function loadScales(
  trx: Transaction<any>,
  steps: readonly Step[],
): Promise<Map<string, number>> {
  const currencies = [...new Set(steps.map((s) => s.currency))];
  const rows = await trx
    .selectFrom('ledger_currencies')
    .select(['currency', 'scale'])
    .where('currency', 'in', currencies)
    .execute();
  return new Map(rows.map((r) => [r.currency as string, Number(r.scale)]));
}

/** Names the invariant, the event and the account, as the halt reason in /health shows it. */
function broken(invariant: string, s: Step, account: string, detail: string): string {
  return `ledger invariant "${invariant}" broken by ${s.event.type} ${s.event.id} on ${account}: ${detail}`;
}

function scaleOf(s: Step, scales: ReadonlyMap<string, number>): number {
  const scale = scales.get(s.currency);
  assert(
    scale !== undefined,
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
function amountOf(
  value: string,
  s: Step,
  account: string,
  scales: ReadonlyMap<string, number>,
  form: RegExp = AMOUNT_RE,
): Money {
  const scale = scaleOf(s, scales);
  const decimals = value.includes('.') ? value.split('.')[1]!.length : 0;
  assert(
    form.test(value) && decimals <= scale,
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
function checkEntry(s: Step, scales: ReadonlyMap<string, number>): void {
  const p = s.posting;
  if (!p) return;
  const amount = amountOf(p.amount, s, p.debit.id, scales);
  assert(
    amount.isPositive(),
    broken('entry balances', s, p.debit.id, `amount ${p.amount} is not above zero`),
  );
  assert(
    p.debit.id !== p.credit.id,
    broken('entry balances', s, p.debit.id, 'debit and credit are one account'),
  );
  for (const account of [p.debit, p.credit]) {
    assert(
      account.currency === s.currency && account.id.endsWith(`:${s.currency}`),
      broken(
        'entry balances',
        s,
        account.id,
        `the account is not in the entry's currency ${s.currency}`,
      ),
    );
  }
}

/** The position of each escrow's newest entry already in the ledger (only those steps need). */
async function lastPostedPositions(
  trx: Transaction<any>,
  steps: readonly Step[],
): Promise<Map<string, Position>> {
  const escrows = [
    ...new Set(steps.filter((s) => !s.posting && s.heldAfter !== null).map((s) => s.escrowId)),
  ];
  if (escrows.length === 0) return new Map();
  const rows = await sql<{ escrow_id: string; tx: string; pos: string }>`
    SELECT DISTINCT ON (escrow_id) escrow_id, position_tx::text AS tx, position_pos::text AS pos
    FROM ledger_entries WHERE escrow_id = ANY(${escrows}::uuid[])
    ORDER BY escrow_id, position_tx DESC, position_pos DESC`.execute(trx);
  return new Map(rows.rows.map((r) => [r.escrow_id, { tx: BigInt(r.tx), pos: BigInt(r.pos) }]));
}

/** Inserts the entries; returns the ids of the events whose entry was not there before. */
async function insertEntries(trx: Transaction<any>, steps: readonly Step[]): Promise<Set<string>> {
  const rows: NewLedgerEntryRow[] = steps.flatMap((s) =>
    s.posting ? [entryRow(s, s.posting)] : [],
  );
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += INSERT_ROWS_MAX) {
    const done = await trx
      .insertInto('ledger_entries')
      .values(rows.slice(start, start + INSERT_ROWS_MAX))
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .execute();
    for (const r of done) inserted.add(r.event_id as string);
  }
  return inserted;
}

function entryRow(s: Step, p: Posting): NewLedgerEntryRow {
  return {
    event_id: s.event.id,
    position_tx: s.event.position.tx.toString(),
    position_pos: s.event.position.pos.toString(),
    escrow_id: s.escrowId,
    payment_id: p.paymentId,
    currency: s.currency,
    debit_account: p.debit.id,
    credit_account: p.credit.id,
    amount: p.amount,
    event_type: s.event.type,
    occurred_at: occurredAt(s.event),
  };
}

/** The command's time from the metadata; the store's time if the metadata lacks a valid one. */
function occurredAt(e: RecordedEvent): Date {
  const at = typeof e.metadata.occurredAt === 'string' ? new Date(e.metadata.occurredAt) : null;
  return at && !Number.isNaN(at.getTime()) ? at : e.recordedAt;
}

/** Current totals of every account the batch posts to or checks, in one query. */
async function loadAccounts(
  trx: Transaction<any>,
  steps: readonly Step[],
  posted: ReadonlySet<string>,
  scales: ReadonlyMap<string, number>,
): Promise<Map<string, AccountState>> {
  const refs = new Map<string, { ref: LedgerAccountRef; step: Step }>();
  for (const s of steps) {
    if (s.posting && posted.has(s.event.id)) {
      refs.set(s.posting.debit.id, { ref: s.posting.debit, step: s });
      refs.set(s.posting.credit.id, { ref: s.posting.credit, step: s });
    }
    if (s.heldAfter !== null) {
      const held = escrowHeldAccount(s.escrowId, s.currency);
      refs.set(held.id, { ref: held, step: s });
    }
  }
  const accounts = new Map<string, AccountState>();
  if (refs.size === 0) return accounts;
  const rows = await trx
    .selectFrom('ledger_accounts')
    .select(['account', 'debits', 'credits', 'updated_at'])
    .where('account', 'in', [...refs.keys()])
    .forUpdate()
    .execute();
  const stored = new Map(rows.map((r) => [r.account as string, r]));
  for (const [id, { ref, step }] of refs) {
    const row = stored.get(id);
    const zero = Money.zero(ref.currency, scaleOf(step, scales));
    accounts.set(id, {
      ref,
      debits: row ? amountOf(String(row.debits), step, id, scales, TOTAL_RE) : zero,
      credits: row ? amountOf(String(row.credits), step, id, scales, TOTAL_RE) : zero,
      posted: false,
      updatedAt: row ? new Date(row.updated_at as Date) : null,
    });
  }
  return accounts;
}

function balanceOf(a: AccountState): Money {
  return normalSideOf[a.ref.kind] === 'debit'
    ? a.debits.minus(a.credits)
    : a.credits.minus(a.debits);
}

/** Posts one step's entry (if this apply inserted it) and checks the invariants after it. */
function foldStep(
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
      assert(
        !balance.isNegative(),
        broken('no negative balance', s, a.ref.id, `the balance would be ${balance.toString()}`),
      );
    }
  }
  if (s.heldAfter !== null) {
    const held = accounts.get(escrowHeldAccount(s.escrowId, s.currency).id)!;
    const expected = amountOf(s.heldAfter, s, held.ref.id, scales);
    const balance = balanceOf(held);
    assert(
      balance.equals(expected),
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

/**
 * Writes the new totals of the accounts this batch posted to (one statement), creating accounts
 * on first use. Totals, not increments: PostgreSQL checks an upsert's proposed row against the
 * table's CHECKs before it sees the conflict, and an increment alone (a credit to cash, say)
 * would fail them. Batches of one projector never run concurrently (the runner holds the
 * checkpoint row), and the rows were read FOR UPDATE anyway.
 */
async function saveAccounts(
  trx: Transaction<any>,
  accounts: ReadonlyMap<string, AccountState>,
): Promise<void> {
  const rows: NewLedgerAccountRow[] = [];
  for (const a of accounts.values()) {
    if (!a.posted) continue;
    assert(a.updatedAt !== null, `ledger account ${a.ref.id} was posted to without a time`);
    rows.push({
      account: a.ref.id,
      currency: a.ref.currency,
      kind: a.ref.kind,
      normal_side: normalSideOf[a.ref.kind],
      escrow_id: a.ref.escrowId,
      debits: a.debits.toString(),
      credits: a.credits.toString(),
      updated_at: a.updatedAt,
    });
  }
  if (rows.length === 0) return;
  await trx
    .insertInto('ledger_accounts')
    .values(rows)
    .onConflict((oc) =>
      oc.column('account').doUpdateSet((eb) => ({
        debits: eb.ref('excluded.debits'),
        credits: eb.ref('excluded.credits'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}
