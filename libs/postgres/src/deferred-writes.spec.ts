/**
 * Deferred writes (deferred-writes.ts) on a real PostgreSQL: a deferred write is not waited for
 * (it is still blocked on another session's lock when the caller goes on), the statements run in
 * the order sent, the next statement that reads waits for them, a failing write fails the
 * statement after it or the COMMIT with its own error, marked, and nothing of the transaction
 * stays. Without `deferWrites` a deferred write is an ordinary statement, and a client goes back
 * to the pool with deferral off.
 */
import { type Kysely, sql } from 'kysely';
import { Socket } from 'node:net';
import type { Pool, PoolClient } from 'pg';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { createKysely } from './database';
import { deferWrites, deferredWrite } from '@kob/projections';
import { DeferringClient, isDeferredWriteFailure } from './deferred-writes';

let tdb: TestDatabase;
let pool: Pool;
let db: Kysely<any>;

beforeAll(async () => {
  tdb = await testDatabase();
  pool = tdb.newPool(4);
  db = createKysely(pool);
  await sql`CREATE TABLE deferred_t (id int PRIMARY KEY, v text NOT NULL CHECK (v <> 'bad'))`.execute(
    db,
  );
});
afterAll(() => tdb.close());
beforeEach(() => sql`TRUNCATE deferred_t`.execute(db));

const insert = (id: number, v: string) => sql`INSERT INTO deferred_t (id, v) VALUES (${id}, ${v})`;
/** The error `work` failed its transaction with (null if it committed). */
const failureOf = (work: (trx: Kysely<any>) => Promise<void>) =>
  db
    .transaction()
    .execute(work)
    .then(
      () => null,
      (err: Error) => err,
    );
const rows = async () =>
  (await sql<{ id: number; v: string }>`SELECT id, v FROM deferred_t ORDER BY id`.execute(db)).rows;

it('is the client of every pool', () => {
  expect((pool as unknown as { Client: unknown }).Client).toBe(DeferringClient);
});

it('does not wait for a deferred write, and the next read waits for it', async () => {
  await sql`INSERT INTO deferred_t VALUES (1, 'before')`.execute(db);
  // Another session holds row 1: an UPDATE of it cannot finish until that session commits.
  const holder: PoolClient = await pool.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT * FROM deferred_t WHERE id = 1 FOR UPDATE');
  let released = false;
  const seen = await db.transaction().execute(async (trx) => {
    await deferWrites(trx);
    // Returns while the UPDATE is still blocked (an awaited statement would wait for the holder).
    await deferredWrite(trx, sql`UPDATE deferred_t SET v = 'after' WHERE id = 1`);
    await deferredWrite(trx, insert(2, 'second'));
    expect(released).toBe(false);
    setTimeout(() => {
      released = true;
      void holder.query('COMMIT').finally(() => holder.release());
    }, 50);
    // Sent behind the writes: answered once both ran, in order.
    return (
      await sql<{ id: number; v: string }>`SELECT id, v FROM deferred_t ORDER BY id`.execute(trx)
    ).rows;
  });
  expect(released).toBe(true);
  expect(seen).toEqual([
    { id: 1, v: 'after' },
    { id: 2, v: 'second' },
  ]);
  expect(await rows()).toEqual(seen);
});

it('fails the next read with the failed write’s own error, and keeps nothing', async () => {
  const failure = await failureOf(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(1, 'kept?'));
    await deferredWrite(trx, insert(2, 'bad'));
    await deferredWrite(trx, insert(3, 'after the failure'));
    await sql`SELECT count(*) FROM deferred_t`.execute(trx);
  });
  expect(failure).toBeInstanceOf(Error);
  expect((failure as { code?: string }).code).toBe('23514');
  expect(isDeferredWriteFailure(failure)).toBe(true);
  expect(await rows()).toEqual([]);
});

it('fails the COMMIT when the last writes fail, and keeps nothing', async () => {
  const failure = await failureOf(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(1, 'one'));
    await deferredWrite(trx, insert(1, 'a duplicate'));
  });
  expect((failure as { code?: string }).code).toBe('23505');
  expect(isDeferredWriteFailure(failure)).toBe(true);
  expect(await rows()).toEqual([]);
  // The pool's connections are sound after it.
  await db.transaction().execute(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(4, 'four'));
  });
  expect(await rows()).toEqual([{ id: 4, v: 'four' }]);
});

it('runs a deferred write as any statement in a transaction that does not defer', async () => {
  const failure = await failureOf(async (trx) => {
    await deferredWrite(trx, insert(1, 'one'));
    await deferredWrite(trx, insert(2, 'bad'));
  });
  // Met where it was made: an ordinary failure, not a deferred one.
  expect((failure as { code?: string }).code).toBe('23514');
  expect(isDeferredWriteFailure(failure)).toBe(false);
  expect(await rows()).toEqual([]);
  await deferredWrite(db, insert(5, 'outside any transaction'));
  expect(await rows()).toEqual([{ id: 5, v: 'outside any transaction' }]);
});

it('fails a write whose parameters pg cannot send where it is made, and keeps nothing', async () => {
  // pg converts parameters while sending: one it cannot convert would never reach the server,
  // whose transaction would then commit the writes around it.
  const failure = await failureOf(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(1, 'one'));
    await deferredWrite(
      trx,
      sql`INSERT INTO deferred_t (id, v) VALUES (2, ${{ amount: 1n }}::jsonb::text)`,
    );
    await deferredWrite(trx, insert(3, 'three'));
  });
  expect(String(failure)).toMatch(/BigInt/);
  expect(isDeferredWriteFailure(failure)).toBe(false);
  expect(await rows()).toEqual([]);
});

it('defers nothing outside a transaction', async () => {
  const failure = await db
    .connection()
    .execute(async (conn) => {
      await deferWrites(conn);
      await deferredWrite(conn, insert(1, 'one'));
      // Awaited where it is made: its own failure, here.
      await deferredWrite(conn, insert(1, 'a duplicate')).catch((err: Error) => {
        expect(isDeferredWriteFailure(err)).toBe(false);
        throw err;
      });
    })
    .catch((err: Error) => err);
  expect((failure as { code?: string }).code).toBe('23505');
  expect(await rows()).toEqual([{ id: 1, v: 'one' }]);
});

it('lets the reason for a rollback reach the caller, not a write it undoes', async () => {
  const failure = await failureOf(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(1, 'bad'));
    throw new Error('the projector’s own reason');
  });
  expect(String(failure)).toMatch(/the projector’s own reason/);
  expect(await rows()).toEqual([]);
});

it('rolls back to a savepoint past a failed write, and keeps what came before it', async () => {
  await db.transaction().execute(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(1, 'kept'));
    await sql`SAVEPOINT s`.execute(trx);
    await deferredWrite(trx, insert(2, 'bad'));
    await deferredWrite(trx, insert(3, 'undone with it'));
    await sql`ROLLBACK TO SAVEPOINT s`.execute(trx);
    await deferredWrite(trx, insert(4, 'after'));
  });
  expect(await rows()).toEqual([
    { id: 1, v: 'kept' },
    { id: 4, v: 'after' },
  ]);
});

it('hands a client back to the pool with deferral and pg’s pipeline mode off', async () => {
  const single = tdb.newPool(1);
  const one = createKysely<any>(single);
  await one.transaction().execute(async (trx) => {
    await deferWrites(trx);
    await deferredWrite(trx, insert(6, 'six'));
  });
  // The pool's only client, the one the transaction used.
  const client = await single.connect();
  try {
    expect(client).toBeInstanceOf(DeferringClient);
    expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false);
    expect((await client.query('SELECT v FROM deferred_t WHERE id = 6')).rows).toEqual([
      { v: 'six' },
    ]);
  } finally {
    client.release();
  }
});

it('sends BEGIN, the deferred writes and the read behind them in one write to the socket', async () => {
  const proto = Socket.prototype as unknown as Record<
    '_write' | '_writev',
    (...a: unknown[]) => unknown
  >;
  const original = { _write: proto._write, _writev: proto._writev };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const)
    proto[method] = function (this: Socket, ...args: unknown[]) {
      writes++;
      return original[method].apply(this, args);
    };
  let beforeCommit = -1;
  try {
    await db.transaction().execute(async (trx) => {
      await deferWrites(trx);
      for (const id of [1, 2, 3]) await deferredWrite(trx, insert(id, `v${id}`));
      await sql`SELECT count(*) FROM deferred_t`.execute(trx);
      beforeCommit = writes;
    });
  } finally {
    Object.assign(proto, original);
  }
  // Five statements, one write (each went in a write of its own before).
  expect(beforeCommit).toBe(1);
  expect(await rows()).toHaveLength(3);
});
