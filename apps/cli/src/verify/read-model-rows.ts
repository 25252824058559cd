/**
 * What `verify --all` compares between a stream's fresh fold and the read-model rows built from
 * it, one entry per stream category it knows: how the stream folds, the projectors whose rows it
 * reads, and the first difference between those rows and the state (null when they agree). The
 * escrow and identity checks are here; read-model-rows-records.ts and read-model-rows-spend.ts
 * hold the others, and `readModelsNotSampled` names the read models no stream sample can check.
 */
import Big from 'big.js';
import { sql } from 'kysely';
import {
  type AnyDecider,
  type ApiKeyState,
  type EscrowState,
  type UserState,
  apiKeyDecider,
  escrowDecider,
  foldEvents,
  userDecider,
} from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';
import type { Platform } from '@kob/platform';
import { type ReadModelTable, escrowHeldAccount } from '@kob/projections';

export interface RowCheck {
  /** The category of the streams it compares: `escrow` for `escrow-{id}`. */
  category: string;
  /** Prefixes under the category's own that hold none of its records (uniqueness reservations). */
  foreign?: readonly string[];
  /** The projectors whose rows it reads: each must have passed the stream's last event. */
  projectors: readonly string[];
  /** A fresh fold of the stream's events; null when no record was created there. */
  fold(events: readonly RecordedEvent[]): unknown;
  /** The first difference, as `<what> is <row value>, the fold says <state value>`. */
  difference(platform: Platform, state: unknown, streamId: string): Promise<string | null>;
}

/** What is compared: its name, the rows' value, the fold's value, and how. */
export type Comparison = [string, unknown, unknown, (a: unknown, b: unknown) => boolean];

export const same = (a: unknown, b: unknown) => a === b;
/** Equal amounts whatever their notation (`100.00` and `100`). */
export const sameAmount = (a: unknown, b: unknown) => new Big(String(a)).eq(String(b));
/** Equal instants whatever their notation (a `Date` from the driver, ISO text in the event). */
export const sameTime = (a: unknown, b: unknown) =>
  a === null || b === null
    ? a === b
    : new Date(a as string).getTime() === new Date(b as string).getTime();

export function firstDifference(comparisons: Comparison[]): string | null {
  const first = comparisons.find(([, row, fold, equal]) => !equal(row, fold));
  return first ? `${first[0]} is ${String(first[1])}, the fold says ${String(first[2])}` : null;
}

/** The stream folded by its aggregate's decider (the service's fold), if it created a record. */
export function foldedBy(
  decider: unknown,
  created: (state: unknown) => boolean = (s) => (s as { exists?: boolean }).exists === true,
): RowCheck['fold'] {
  return (events) => {
    const state = foldEvents(decider as AnyDecider, events);
    return created(state) ? state : null;
  };
}

/** How many rows of `table` have `column` equal to `value`. */
export async function rowCount(
  platform: Platform,
  table: ReadModelTable,
  column: string,
  value: string,
): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(
    platform.db,
  );
  return r.rows[0]!.n;
}

/** A field of a row compared with the fold: its column, the fold's value, how (`same` if absent). */
export type FieldCheck = [string, unknown, ((a: unknown, b: unknown) => boolean)?];

/**
 * The first difference between the row of `table` whose `key` column is `value` and the fold's
 * fields (`<table>: no row` when there is none).
 */
export async function rowDifference(
  platform: Platform,
  table: ReadModelTable,
  [key, value]: [string, string],
  fields: FieldCheck[],
): Promise<string | null> {
  const columns = sql.join(fields.map(([column]) => sql.ref(column)));
  const r = await sql<Record<string, unknown>>`
    SELECT ${columns} FROM ${sql.table(table)} WHERE ${sql.ref(key)} = ${value}`.execute(
    platform.db,
  );
  const row = r.rows[0];
  if (!row) return `${table}: no row`;
  return firstDifference(
    fields.map(([column, fold, equal = same]) => [`${table}.${column}`, row[column], fold, equal]),
  );
}

/**
 * The check of a read model that keeps one row per stream: the row of `table` found by `key`
 * (a column and the fold's value, or the stream id), its `fields` compared with the fold's.
 */
export function oneRowCheck<State>(spec: {
  decider: { category: string };
  projectors: readonly string[];
  foreign?: readonly string[];
  table: ReadModelTable;
  key: (state: State, streamId: string) => [string, string];
  fields: (state: State) => FieldCheck[];
}): RowCheck {
  return {
    category: spec.decider.category,
    ...(spec.foreign ? { foreign: spec.foreign } : {}),
    projectors: spec.projectors,
    fold: foldedBy(spec.decider),
    difference(platform, folded, streamId) {
      const state = folded as State;
      return rowDifference(platform, spec.table, spec.key(state, streamId), spec.fields(state));
    },
  };
}

/** The balance of an escrow's held account in the ledger (0 before its first posting). */
async function heldBalance(platform: Platform, escrowId: string, currency: string) {
  const held = await platform.db
    .selectFrom('ledger_accounts')
    .select(['debits', 'credits'])
    .where('account', '=', escrowHeldAccount(escrowId, currency).id)
    .executeTakeFirst();
  return held ? new Big(held.credits).minus(held.debits).toString() : '0';
}

/**
 * The escrows row; as many milestone, deposit, payment and proof rows as the fold holds; the
 * parties row the proofs projector keeps; the ledger's held account.
 */
const escrowCheck: RowCheck = {
  category: escrowDecider.category,
  projectors: ['escrows', 'payments', 'ledger', 'proofs'],
  fold: foldedBy(escrowDecider),
  async difference(platform, folded) {
    const state = folded as EscrowState;
    const count = (table: ReadModelTable) => rowCount(platform, table, 'escrow_id', state.escrowId);
    const row = await rowDifference(
      platform,
      'escrows',
      ['id', state.escrowId],
      [
        ['status', state.status],
        ['amount_total', state.amountTotal, sameAmount],
        ['currency', state.currency],
        ['deposited', state.deposited, sameAmount],
      ],
    );
    return (
      row ??
      firstDifference([
        ['milestones rows', await count('milestones'), state.milestones.length, same],
        ['deposits rows', await count('deposits'), state.deposits.length, same],
        ['payments rows', await count('payments'), state.payments.length, same],
        ['proofs rows', await count('proofs'), state.proofs.length, same],
        ['proof_escrow_parties rows', await count('proof_escrow_parties'), 1, same],
        [
          'ledger held',
          await heldBalance(platform, state.escrowId, state.currency),
          state.held,
          sameAmount,
        ],
      ])
    );
  },
};

/** The users row: name, email, whether active, public tag. */
const userCheck = oneRowCheck<UserState>({
  decider: userDecider,
  projectors: ['users'],
  table: 'users',
  key: (state) => ['id', state.userId],
  fields: (state) => [
    ['username', state.username],
    ['email', state.email],
    ['is_active', state.isActive],
    ['public_tag', state.publicTag],
  ],
});

/** The api_keys row: prefix, scope, linked user, revocation. */
const apiKeyCheck = oneRowCheck<ApiKeyState>({
  decider: apiKeyDecider,
  // `apikey-prefix-{prefix}`: the uniqueness reservation of key prefixes.
  foreign: ['apikey-prefix-'],
  projectors: ['api_keys'],
  table: 'api_keys',
  key: (state) => ['id', state.keyId],
  fields: (state) => [
    ['prefix', state.prefix],
    ['scope', state.scope],
    ['user_id', state.userId],
    ['revoked_at', state.revokedAt, sameTime],
  ],
});

/** The escrow and identity checks. */
export const escrowAndIdentityChecks: readonly RowCheck[] = [escrowCheck, userCheck, apiKeyCheck];
