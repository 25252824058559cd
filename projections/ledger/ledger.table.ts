/**
 * The ledger read model's tables (migrations/read-models/20261127000200_ledger.ts): journal
 * entries, account totals and currency scales. Money is `numeric` in PostgreSQL and a decimal
 * string here (pg's default for numeric: exact), never a JS number.
 */
import type { Insertable, Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

/** What an account is; `normal_side` follows from it (cash is an asset, the rest liabilities). */
export type LedgerAccountKind =
  'psp_cash' | 'escrow_held' | 'provider_payable' | 'client_refundable' | 'payee_payable';

export type LedgerSide = 'debit' | 'credit';

export interface LedgerEntriesTable {
  event_id: string;
  /** The writer's transaction id (xid8), as text: pg has no JS type for it. */
  position_tx: string;
  /** bigint, as a string. */
  position_pos: string;
  escrow_id: string;
  /** The payment the entry moves, null for a deposit. */
  payment_id: string | null;
  currency: string;
  debit_account: string;
  credit_account: string;
  amount: string;
  event_type: string;
  occurred_at: Timestamp;
}

export interface LedgerAccountsTable {
  account: string;
  currency: string;
  kind: LedgerAccountKind;
  normal_side: LedgerSide;
  /** The escrow a held or payee account belongs to; null for cash, provider and client accounts. */
  escrow_id: string | null;
  debits: string;
  credits: string;
  updated_at: Timestamp;
}

export interface LedgerCurrenciesTable {
  currency: string;
  scale: number;
}

export interface LedgerTables {
  ledger_entries: LedgerEntriesTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_currencies: LedgerCurrenciesTable;
}

export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type NewLedgerEntryRow = Insertable<LedgerEntriesTable>;
export type LedgerAccountRow = Selectable<LedgerAccountsTable>;
export type NewLedgerAccountRow = Insertable<LedgerAccountsTable>;
