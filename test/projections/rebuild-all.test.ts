/**
 * Rebuilding every read model in one pass over `$all` (`rebuildAll`, `kobatela rebuild all`)
 * gives exactly the rows the live projections built one round at a time: after escrows,
 * milestones, deposits, releases, a failed and retried payment, payees and spends, every table
 * of every projector is compared row for row before and after, and so are its indexes (a rebuild
 * builds most of them only once history is applied).
 */
import { sql } from 'kysely';
import { YoungRowsClient } from '@kob/postgres';
import { allProjectors } from '@kob/projections';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedEscrow, withPspMode } from '../support/escrow-api-extra';

let api: EscrowApi;

beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of allProjectors.flatMap((p) => p.tables)) {
    const rows = await sql<{
      row: string;
    }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(table)} t`.execute(api.t.platform.db);
    out[table] = rows.rows.map((r) => r.row).sort();
  }
  return out;
}

/** Each table's index definitions, their generated names left out (a rebuild renames them). */
async function indexes(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of allProjectors.flatMap((p) => p.tables)) {
    const rows = await sql<{ def: string }>`
      SELECT regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON', 'CREATE \\1INDEX ON') AS def
      FROM pg_indexes WHERE schemaname = 'public' AND tablename = ${table}`.execute(
      api.t.platform.db,
    );
    out[table] = rows.rows.map((r) => r.def).sort();
  }
  return out;
}

it('rebuilds every table to the rows the live projections made', async () => {
  const { id, milestones } = await fundedEscrow(api, {
    total: '100.00',
    milestones: ['30.00', '20.00'],
  });
  expect((await api.release(milestones[0]!)).statusCode).toBe(200);
  const failed = await withPspMode(api, 'fail', () => api.release(milestones[1]!));
  expect(
    (await api.call('POST', `/payments/${failed.json().id}/retry`, api.keys.support, {}))
      .statusCode,
  ).toBe(201);
  expect(
    (
      await api.call('POST', '/spend/allowed', api.keys.support, {
        escrow_id: id,
        payee_ref: 'shop-1',
        label: 'Shop',
        daily_limit: '20.00',
      })
    ).statusCode,
  ).toBe(201);
  expect(
    (
      await api.call(
        'POST',
        '/spend',
        api.keys.client,
        { escrow_id: id, payee_ref: 'shop-1', amount: '5.00' },
        { 'idempotency-key': 'rb-1' },
      )
    ).statusCode,
  ).toBe(200);
  await api.escrow();
  const before = await snapshot();
  const indexesBefore = await indexes();
  expect(indexesBefore.audit_log!.length).toBe(5);
  expect(before.escrows!.length).toBeGreaterThanOrEqual(2);
  expect(before.payments!.length).toBe(4);
  expect(before.ledger_entries!.length).toBeGreaterThan(5);

  const applied = await api.t.platform.projections.rebuildAll(allProjectors);
  expect(applied).toBeGreaterThan(20);
  expect(await snapshot()).toEqual(before);
  expect(await indexes()).toEqual(indexesBefore);
  // In small batches: after the first, the projectors split into lanes applied side by side.
  const progress: number[] = [];
  expect(
    await api.t.platform.projections.rebuildAll(allProjectors, (n) => progress.push(n), {
      batchSize: 7,
    }),
  ).toBe(applied);
  expect(progress.length).toBeGreaterThan(3);
  expect(await snapshot()).toEqual(before);
  expect(await indexes()).toEqual(indexesBefore);
  const statuses = await api.t.platform.projections.status();
  expect(statuses.every((s) => s.status === 'running')).toBe(true);
  // The live runner goes on from the rebuilt checkpoints.
  const after = await api.escrow();
  const row = await api.t.platform.db
    .selectFrom('escrows')
    .select('id')
    .where('id', '=', after)
    .executeTakeFirst();
  expect(row).toEqual({ id: after });
});

it('commits only the scratch batches without waiting for the disk, never the switch', async () => {
  await fundedEscrow(api, { total: '40.00', milestones: ['40.00'] });
  // Every statement, by connection, split into transactions at BEGIN … COMMIT.
  const byClient = new Map<YoungRowsClient, string[]>();
  const transactions: string[][] = [];
  // The pools' client class (every statement of this service goes through its query).
  const original = YoungRowsClient.prototype.query;
  const query = jest.spyOn(YoungRowsClient.prototype, 'query').mockImplementation(function (
    this: YoungRowsClient,
    ...args: unknown[]
  ) {
    const first = args[0] as string | { text?: string };
    const text = (typeof first === 'string' ? first : (first?.text ?? '')).trim().toLowerCase();
    if (text === 'begin') byClient.set(this, []);
    else if (text === 'commit') {
      const statements = byClient.get(this);
      if (statements) transactions.push(statements);
      byClient.delete(this);
    } else byClient.get(this)?.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
  });
  let applied: number;
  try {
    applied = await api.t.platform.projections.rebuildAll(allProjectors, undefined, {
      batchSize: 5,
    });
  } finally {
    query.mockRestore();
  }
  expect(applied).toBeGreaterThan(10);
  const asynchronous = transactions.filter((t) =>
    t.some((q) => q.includes("set_config('synchronous_commit', 'off'")),
  );
  const switches = transactions.filter((t) => t.some((q) => q.includes('set schema public')));
  expect(asynchronous.length).toBeGreaterThan(2);
  expect(switches).toHaveLength(1);
  // The switch commits with the server's setting (synchronous), flushing everything before it.
  expect(switches[0]!.some((q) => q.includes('synchronous_commit'))).toBe(false);
  // The asynchronous ones write only to the scratch schema: no live table, no checkpoint.
  for (const t of asynchronous) {
    for (const q of t) {
      expect(q).not.toMatch(/projection_checkpoints|set schema public|drop table|"public"\./);
    }
  }
});

it('switches nothing in when the session holding its locks ended (PostgreSQL restarted)', async () => {
  await fundedEscrow(api, { total: '30.00', milestones: ['30.00'] });
  await api.escrow();
  const before = await snapshot();
  const db = api.t.platform.db;
  let terminated = false;
  const rebuilt = api.t.platform.projections.rebuildAll(
    allProjectors,
    () => {
      if (terminated) return;
      terminated = true;
      // What a crash-restart does to the lock session, which holds only the rebuild's locks.
      void sql`SELECT pg_terminate_backend(pid) FROM pg_locks
               WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`.execute(db);
    },
    { batchSize: 5 },
  );
  await expect(rebuilt).rejects.toThrow(/lost its advisory locks/);
  expect(terminated).toBe(true);
  expect(await snapshot()).toEqual(before);
  // Nothing left behind: no scratch schema, no advisory lock; a rebuild after it goes through.
  const scratch = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`.execute(db);
  expect(scratch.rows[0]!.n).toBe(0);
  expect(await api.t.platform.projections.rebuildAll(allProjectors)).toBeGreaterThan(10);
  expect(await snapshot()).toEqual(before);
});
