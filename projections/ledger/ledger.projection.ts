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
import { assert, Money } from '@kob/kernel';
import { arrayLiteral } from '../array-literal';
import type { ReadModels } from '../read-models';
import { type LedgerAccountRef, escrowHeldAccount, normalSideOf } from './ledger-accounts';
import {
  type AccountState,
  type Posting,
  type Step,
  TOTAL_RE,
  amountOf,
  checkEntry,
  foldStep,
  occurredAt,
  scaleOf,
  stepOf,
} from './ledger-steps';
import type { NewLedgerAccountRow, NewLedgerEntryRow } from './ledger.table';
import { deferredWrite } from '../deferred-write';
import { preparedMark } from '../prepared-mark';

const ESCROW_STREAM_PREFIX = 'escrow-';
/** Rows per INSERT (11 array parameters whatever the count: the bound keeps statements modest). */
const INSERT_ROWS_MAX = 1000;

export const ledgerProjection = {
  name: 'ledger',
  // A posting it cannot make means balances no longer add up: halt, never park and go on.
  guardsMoney: true,
  // It posts escrow events only: a halt holds the answers of money commands, not of the others.
  streamCategories: ['escrow'],
  // A retry's check reads an escrow's newest entry (lastPostedPositions), also while rebuilding.
  lookupColumns: { ledger_entries: ['escrow_id'] },
  version: 1,
  tables: ['ledger_entries', 'ledger_accounts', 'ledger_currencies'],
  async apply(trx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void> {
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
    const { posted, accounts } = await postEntries(trx, steps, scales);
    for (const s of steps) foldStep(s, posted, lastPosted, accounts, scales);
    await saveAccounts(trx, accounts);
  },
};

/**
 * Keeps each currency's scale from escrow creations, so balances leave the API at it. A scale
 * only ever grows here: an amount stored at the older, smaller scale still fits the larger one.
 */
async function recordScales(
  trx: Transaction<ReadModels>,
  events: readonly RecordedEvent[],
): Promise<void> {
  const scales = new Map<string, number>();
  for (const recorded of events) {
    const e = recorded as unknown as EscrowEvent;
    if (e.type !== 'escrow.created.v1') continue;
    scales.set(e.data.currency, Math.max(scales.get(e.data.currency) ?? 0, e.data.scale));
  }
  if (scales.size === 0) return;
  await deferredWrite(
    trx,
    trx
      .insertInto('ledger_currencies')
      .values([...scales].map(([currency, scale]) => ({ currency, scale })))
      .onConflict((oc) =>
        oc.column('currency').doUpdateSet((eb) => ({
          scale: eb.fn('greatest', [eb.ref('ledger_currencies.scale'), eb.ref('excluded.scale')]),
        })),
      ),
  );
}

async function loadScales(
  trx: Transaction<ReadModels>,
  steps: readonly Step[],
): Promise<Map<string, number>> {
  const currencies = [...new Set(steps.map((s) => s.currency))];
  const { rows } = await sql<{ currency: string; scale: number }>`${preparedMark}
    SELECT currency, scale FROM ledger_currencies
    WHERE currency = ANY(${arrayLiteral(currencies)}::text[])`.execute(trx);
  return new Map(rows.map((r) => [r.currency, Number(r.scale)]));
}

/** The position of each escrow's newest entry already in the ledger (only those steps need). */
async function lastPostedPositions(
  trx: Transaction<ReadModels>,
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

interface PostedRow {
  /** An entry this statement inserted (null on an account's row). */
  event_id: string | null;
  /** An account's row, read before this statement's entries (null on an entry's row). */
  account: string | null;
  debits: string | null;
  credits: string | null;
  updated_at: Date | null;
}

/**
 * Inserts the entries and reads, in the same statement, the current totals of every account the
 * batch may post to or check (`FOR UPDATE`): both postings' accounts of every step, whether or not
 * its entry turns out to be new (a replay's are read and left as they are: `foldStep` skips it),
 * and each escrow's held account where an event carries `heldAfter`. Returns the ids of the
 * events whose entry was not there before, and the accounts. One round trip instead of two.
 */
async function postEntries(
  trx: Transaction<ReadModels>,
  steps: readonly Step[],
  scales: ReadonlyMap<string, number>,
): Promise<{ posted: Set<string>; accounts: Map<string, AccountState> }> {
  const refs = new Map<string, { ref: LedgerAccountRef; step: Step }>();
  for (const s of steps) {
    if (s.posting) {
      refs.set(s.posting.debit.id, { ref: s.posting.debit, step: s });
      refs.set(s.posting.credit.id, { ref: s.posting.credit, step: s });
    }
    if (s.heldAfter !== null) {
      const held = escrowHeldAccount(s.escrowId, s.currency);
      refs.set(held.id, { ref: held, step: s });
    }
  }
  const rows: NewLedgerEntryRow[] = steps.flatMap((s) =>
    s.posting ? [entryRow(s, s.posting)] : [],
  );
  const posted = new Set<string>();
  const stored = new Map<string, PostedRow>();
  if (refs.size === 0 && rows.length === 0) return { posted, accounts: new Map() };
  // The accounts are read with the first chunk of entries (every batch has one chunk today).
  for (let start = 0; start === 0 || start < rows.length; start += INSERT_ROWS_MAX) {
    const chunk = rows.slice(start, start + INSERT_ROWS_MAX);
    const ids = start === 0 ? [...refs.keys()] : [];
    for (const r of (await postChunk(trx, chunk, ids)).rows) {
      if (r.event_id !== null) posted.add(r.event_id);
      else stored.set(r.account!, r);
    }
  }
  const accounts = new Map<string, AccountState>();
  for (const [id, { ref, step }] of refs) {
    const row = stored.get(id);
    const zero = Money.zero(ref.currency, scaleOf(step, scales));
    accounts.set(id, {
      ref,
      debits: row ? amountOf(String(row.debits), step, id, scales, TOTAL_RE) : zero,
      credits: row ? amountOf(String(row.credits), step, id, scales, TOTAL_RE) : zero,
      posted: false,
      updatedAt: row ? new Date(row.updated_at!) : null,
    });
  }
  return { posted, accounts };
}

/** One column of `rows` as an array literal for `unnest` (a missing value is NULL). */
function columnLiteral<R>(rows: readonly R[], k: keyof R): string {
  return arrayLiteral(rows.map((r) => (r[k] === null || r[k] === undefined ? null : String(r[k]))));
}

/** Instants as an array literal of ISO texts, for a `timestamptz[]` parameter. */
function timesLiteral(times: readonly (Date | string)[]): string {
  return arrayLiteral(times.map((t) => new Date(t).toISOString()));
}

/**
 * One chunk of entries (ON CONFLICT DO NOTHING; the ids of those inserted come back) and the
 * accounts `accountIds`, locked, as they were before this statement (a statement's parts all
 * read the same snapshot, so no account row reflects these entries: totals are written after).
 */
function postChunk(trx: Transaction<ReadModels>, chunk: NewLedgerEntryRow[], accountIds: string[]) {
  const column = (k: Exclude<keyof NewLedgerEntryRow, 'occurred_at'>) => columnLiteral(chunk, k);
  const times = timesLiteral(chunk.map((r) => r.occurred_at));
  // One array per column (unnest): a few parameters however many rows, parsed once.
  return sql<PostedRow>`${preparedMark}
    WITH inserted AS (
      INSERT INTO ledger_entries (event_id, position_tx, position_pos, escrow_id, payment_id, currency,
                                  debit_account, credit_account, amount, event_type, occurred_at)
      SELECT * FROM unnest(
        ${column('event_id')}::uuid[], ${column('position_tx')}::text[]::xid8[], ${column('position_pos')}::bigint[],
        ${column('escrow_id')}::uuid[], ${column('payment_id')}::uuid[], ${column('currency')}::text[],
        ${column('debit_account')}::text[], ${column('credit_account')}::text[], ${column('amount')}::numeric[],
        ${column('event_type')}::text[], ${times}::timestamptz[])
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id
    ), accounts AS (
      SELECT account, debits, credits, updated_at FROM ledger_accounts
      WHERE account = ANY(${arrayLiteral(accountIds)}::text[])
      FOR UPDATE
    )
    SELECT event_id::text AS event_id, NULL::text AS account, NULL::numeric AS debits,
           NULL::numeric AS credits, NULL::timestamptz AS updated_at
    FROM inserted
    UNION ALL
    SELECT NULL, account, debits, credits, updated_at FROM accounts`.execute(trx);
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

/**
 * Writes the new totals of the accounts this batch posted to (one statement), creating accounts
 * on first use. Totals, not increments: PostgreSQL checks an upsert's proposed row against the
 * table's CHECKs before it sees the conflict, and an increment alone (a credit to cash, say)
 * would fail them. Batches of one projector never run concurrently (the runner holds the
 * checkpoint row), and the rows were read FOR UPDATE anyway.
 */
async function saveAccounts(
  trx: Transaction<ReadModels>,
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
  const column = (k: Exclude<keyof NewLedgerAccountRow, 'updated_at'>) => columnLiteral(rows, k);
  // One array per column: the same text however many accounts, so it is prepared once.
  await deferredWrite(
    trx,
    sql`${preparedMark}
      INSERT INTO ledger_accounts (account, currency, kind, normal_side, escrow_id, debits,
                                   credits, updated_at)
      SELECT * FROM unnest(${column('account')}::text[], ${column('currency')}::text[],
        ${column('kind')}::text[], ${column('normal_side')}::text[], ${column('escrow_id')}::uuid[],
        ${column('debits')}::numeric[], ${column('credits')}::numeric[],
        ${timesLiteral(rows.map((r) => r.updated_at as Date | string))}::timestamptz[])
      ON CONFLICT (account) DO UPDATE
      SET debits = excluded.debits, credits = excluded.credits, updated_at = excluded.updated_at`,
  );
}
