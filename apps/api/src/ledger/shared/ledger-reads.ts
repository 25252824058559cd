/**
 * The queries behind the ledger routes, on the ledger read model (projections/ledger): one
 * account with a page of its entries, an escrow's entries, and the trial balance per currency.
 * Entries are listed oldest first, in `$all` order: a statement reads in the order money moved,
 * and a page stays the same page while new entries arrive at the end. Amounts leave at their
 * currency's scale.
 */
import { sql } from 'kysely';
import { encodePosition } from '@kob/event-store';
import { atScale, iso } from '../../http/formats';
import type { LedgerAccountRow, LedgerEntryRow } from '@kob/projections';
import type { ReadModelsDb } from '../../platform/platform.providers';
import type { LedgerAccountView, LedgerEntryView, TrialBalanceRowView } from './ledger.view';

type EntriesFilter = { account: string } | { escrowId: string };

export async function currencyScale(db: ReadModelsDb, currency: string): Promise<number | null> {
  const row = await db
    .selectFrom('ledger_currencies')
    .select('scale')
    .where('currency', '=', currency)
    .executeTakeFirst();
  return row ? Number(row.scale) : null;
}

export type LedgerAccountWithBalance = LedgerAccountRow & { balance: string };

/** The account with its balance on its normal side (debit-normal cash, credit-normal rest). */
export async function findAccount(
  db: ReadModelsDb,
  account: string,
): Promise<LedgerAccountWithBalance | undefined> {
  return db
    .selectFrom('ledger_accounts')
    .selectAll()
    .select(
      sql<string>`CASE normal_side WHEN 'debit' THEN debits - credits ELSE credits - debits END`.as(
        'balance',
      ),
    )
    .where('account', '=', account)
    .executeTakeFirst();
}

export function accountView(
  row: LedgerAccountWithBalance,
  scale: number | null,
): Omit<LedgerAccountView, 'entries'> {
  return {
    account: row.account,
    currency: row.currency,
    kind: row.kind,
    normal_side: row.normal_side,
    escrow_id: row.escrow_id,
    balance: atScale(row.balance, row.currency, scale),
    debits: atScale(row.debits, row.currency, scale),
    credits: atScale(row.credits, row.currency, scale),
    updated_at: iso(row.updated_at),
  };
}

function filtered(db: ReadModelsDb, f: EntriesFilter) {
  const q = db.selectFrom('ledger_entries');
  if ('escrowId' in f) return q.where('escrow_id', '=', f.escrowId);
  return q.where((eb) =>
    eb.or([eb('debit_account', '=', f.account), eb('credit_account', '=', f.account)]),
  );
}

/** A page of entries, oldest first; `side` is the account's side when listing one account. */
export async function listEntries(
  db: ReadModelsDb,
  filter: EntriesFilter,
  scale: number | null,
  page: { limit: number; offset: number },
): Promise<{ items: LedgerEntryView[]; total: number }> {
  const [rows, count] = await Promise.all([
    filtered(db, filter)
      .select([
        sql<string>`position_tx::text`.as('tx'),
        sql<string>`position_pos::text`.as('pos'),
        'event_id',
        'event_type',
        'escrow_id',
        'payment_id',
        'currency',
        'debit_account',
        'credit_account',
        'amount',
        'occurred_at',
      ])
      .orderBy('position_tx')
      .orderBy('position_pos')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    filtered(db, filter)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((r) =>
    ledgerEntryView(r, scale, 'account' in filter ? filter.account : null),
  );
  return { items, total: Number(count.n) };
}

/** A `ledger_entries` row as read here: its position as its two parts in text. */
type EntryRow = Omit<LedgerEntryRow, 'position_tx' | 'position_pos' | 'occurred_at'> & {
  tx: string;
  pos: string;
  occurred_at: Date | string;
};

/** A journal entry (position as its two parts in text); `side` is `account`'s when one is listed. */
export function ledgerEntryView(
  r: EntryRow,
  scale: number | null,
  account: string | null,
): LedgerEntryView {
  const view: LedgerEntryView = {
    position: encodePosition({ tx: BigInt(r.tx), pos: BigInt(r.pos) }),
    event_id: r.event_id,
    event_type: r.event_type,
    escrow_id: r.escrow_id,
    payment_id: r.payment_id,
    debit_account: r.debit_account,
    credit_account: r.credit_account,
    amount: atScale(r.amount, r.currency, scale),
    occurred_at: iso(r.occurred_at),
  };
  if (account !== null) view.side = r.debit_account === account ? 'debit' : 'credit';
  return view;
}

/**
 * Debits and credits per currency, summed line by line from the journal: each entry's debit
 * line counts in its debit account's currency and its credit line in its credit account's, so
 * an entry that crossed currencies, or a line without its other side, would show unbalanced.
 */
export async function trialBalance(db: ReadModelsDb): Promise<TrialBalanceRowView[]> {
  const rows = await sql<{
    currency: string;
    debits: string;
    credits: string;
    balanced: boolean;
    entries: string;
    scale: number | null;
  }>`
    WITH lines AS (
      SELECT substring(debit_account FROM ':([A-Z]{3})$') AS currency, amount AS debit,
             0::numeric AS credit
      FROM ledger_entries
      UNION ALL
      SELECT substring(credit_account FROM ':([A-Z]{3})$'), 0::numeric, amount
      FROM ledger_entries
    )
    SELECT l.currency, sum(l.debit)::text AS debits, sum(l.credit)::text AS credits,
           sum(l.debit) = sum(l.credit) AS balanced,
           count(*) FILTER (WHERE l.debit > 0)::text AS entries, c.scale
    FROM lines l LEFT JOIN ledger_currencies c ON c.currency = l.currency
    GROUP BY l.currency, c.scale
    ORDER BY l.currency`.execute(db);
  return rows.rows.map((r) => {
    const scale = r.scale === null ? null : Number(r.scale);
    return {
      currency: r.currency,
      debits: atScale(r.debits, r.currency, scale),
      credits: atScale(r.credits, r.currency, scale),
      balanced: r.balanced,
      entries: Number(r.entries),
    };
  });
}
