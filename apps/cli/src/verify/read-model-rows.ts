/**
 * What `verify --all` compares between an aggregate's fold and its read-model rows, one entry
 * per aggregate it knows: the decider that folds the stream, the projectors whose rows it reads,
 * and the first difference between those rows and the state (null when they agree).
 */
import Big from 'big.js';
import { sql } from 'kysely';
import {
  type AnyDecider,
  type EscrowState,
  type UserState,
  escrowDecider,
  userDecider,
} from '@kob/domain';
import type { Platform } from '@kob/platform';
import { escrowHeldAccount } from '@kob/projections';

export interface RowCheck {
  decider: AnyDecider;
  projectors: readonly string[];
  /** The first difference, as `<what> is <row value>, the fold says <state value>`. */
  difference(platform: Platform, state: unknown): Promise<string | null>;
}

/** What is compared: its name, the rows' value, the fold's value, and how. */
type Comparison = [string, unknown, unknown, (a: unknown, b: unknown) => boolean];

const same = (a: unknown, b: unknown) => a === b;
/** Equal amounts whatever their notation (`100.00` and `100`). */
const sameAmount = (a: unknown, b: unknown) => new Big(String(a)).eq(String(b));

function firstDifference(comparisons: Comparison[]): string | null {
  const first = comparisons.find(([, row, fold, equal]) => !equal(row, fold));
  return first ? `${first[0]} is ${String(first[1])}, the fold says ${String(first[2])}` : null;
}

async function escrowRows(platform: Platform, escrowId: string, currency: string) {
  const count = async (table: 'milestones' | 'deposits' | 'payments') => {
    const r = await platform.db
      .selectFrom(table)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('escrow_id', '=', escrowId)
      .executeTakeFirstOrThrow();
    return r.n;
  };
  const held = await platform.db
    .selectFrom('ledger_accounts')
    .select(['debits', 'credits'])
    .where('account', '=', escrowHeldAccount(escrowId, currency).id)
    .executeTakeFirst();
  return {
    escrow: await platform.db
      .selectFrom('escrows')
      .select(['status', 'amount_total', 'currency', 'deposited'])
      .where('id', '=', escrowId)
      .executeTakeFirst(),
    milestones: await count('milestones'),
    deposits: await count('deposits'),
    payments: await count('payments'),
    held: held ? new Big(held.credits).minus(held.debits).toString() : '0',
  };
}

/** The escrows row, as many milestone, deposit and payment rows, the ledger's held account. */
const escrowCheck: RowCheck = {
  decider: escrowDecider as unknown as AnyDecider,
  projectors: ['escrows', 'payments', 'ledger'],
  async difference(platform, folded) {
    const state = folded as EscrowState;
    const rows = await escrowRows(platform, state.escrowId, state.currency);
    const e = rows.escrow;
    if (!e) return 'escrows: no row';
    return firstDifference([
      ['escrows.status', e.status, state.status, same],
      ['escrows.amount_total', e.amount_total, state.amountTotal, sameAmount],
      ['escrows.currency', e.currency, state.currency, same],
      ['escrows.deposited', e.deposited, state.deposited, sameAmount],
      ['milestones rows', rows.milestones, state.milestones.length, same],
      ['deposits rows', rows.deposits, state.deposits.length, same],
      ['payments rows', rows.payments, state.payments.length, same],
      ['ledger held', rows.held, state.held, sameAmount],
    ]);
  },
};

/** The users row: name, email, whether active, public tag. */
const userCheck: RowCheck = {
  decider: userDecider as unknown as AnyDecider,
  projectors: ['users'],
  async difference(platform, folded) {
    const state = folded as UserState;
    const row = await platform.db
      .selectFrom('users')
      .select(['username', 'email', 'is_active', 'public_tag'])
      .where('id', '=', state.userId)
      .executeTakeFirst();
    if (!row) return 'users: no row';
    return firstDifference([
      ['users.username', row.username, state.username, same],
      ['users.email', row.email, state.email, same],
      ['users.is_active', row.is_active, state.isActive, same],
      ['users.public_tag', row.public_tag, state.publicTag, same],
    ]);
  },
};

/** The aggregates whose rows `verify --all` compares with their fold. */
export const rowChecks: readonly RowCheck[] = [escrowCheck, userCheck];
