import { sql, type Kysely } from 'kysely';

/**
 * The double-entry ledger read model (projections/ledger, API-RULES.md §3): one journal entry per
 * posting event (debit account, credit account, one positive amount), each account's running
 * debit and credit totals, and the scale of every currency seen so that outputs are formatted
 * at it. Entries are keyed by their event id, so a replayed event cannot post twice; they keep
 * the event's `$all` position, which orders an account's or an escrow's statement. No serial
 * column: a rebuild copies these tables with LIKE … INCLUDING ALL, which would share a sequence.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ledger_entries (
      event_id        uuid PRIMARY KEY,
      position_tx     xid8 NOT NULL,
      position_pos    bigint NOT NULL,
      escrow_id       uuid NOT NULL,
      payment_id      uuid,
      currency        text NOT NULL,
      debit_account   text NOT NULL,
      credit_account  text NOT NULL,
      amount          numeric NOT NULL CHECK (amount > 0),
      event_type      text NOT NULL,
      occurred_at     timestamptz NOT NULL,
      CHECK (debit_account <> credit_account)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX ledger_entries_position_idx ON ledger_entries (position_tx, position_pos)`.execute(
    db,
  );
  await sql`CREATE INDEX ledger_entries_debit_idx ON ledger_entries (debit_account, position_tx, position_pos)`.execute(
    db,
  );
  await sql`CREATE INDEX ledger_entries_credit_idx ON ledger_entries (credit_account, position_tx, position_pos)`.execute(
    db,
  );
  await sql`CREATE INDEX ledger_entries_escrow_idx ON ledger_entries (escrow_id, position_tx, position_pos)`.execute(
    db,
  );
  // Balances are never negative on the account's normal side; the projector asserts it first
  // (with the event named), these checks are the last line.
  await sql`
    CREATE TABLE ledger_accounts (
      account      text PRIMARY KEY,
      currency     text NOT NULL,
      kind         text NOT NULL,
      normal_side  text NOT NULL CHECK (normal_side IN ('debit', 'credit')),
      escrow_id    uuid,
      debits       numeric NOT NULL DEFAULT 0 CHECK (debits >= 0),
      credits      numeric NOT NULL DEFAULT 0 CHECK (credits >= 0),
      updated_at   timestamptz NOT NULL,
      CHECK (CASE normal_side WHEN 'debit' THEN debits >= credits ELSE credits >= debits END)
    )`.execute(db);
  await sql`CREATE INDEX ledger_accounts_escrow_idx ON ledger_accounts (escrow_id) WHERE escrow_id IS NOT NULL`.execute(
    db,
  );
  await sql`
    CREATE TABLE ledger_currencies (
      currency  text PRIMARY KEY,
      scale     integer NOT NULL CHECK (scale >= 0)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE ledger_currencies`.execute(db);
  await sql`DROP TABLE ledger_accounts`.execute(db);
  await sql`DROP TABLE ledger_entries`.execute(db);
}
