/**
 * The pools' client hands each query's rows over in an array of its own (young-rows-client.ts):
 * what a query answers is unchanged in every form pg offers (promise, callback, pool.query,
 * several statements in one text, a failing statement), and pg's own rows array is emptied.
 */
import type { Pool, QueryResult } from 'pg';
// pg's Result, whose rows array the client hands over (no types of its own).
const PgResult = require('pg/lib/result') as { prototype: { addRow(row: unknown): void } };
import { testDatabase, type TestDatabase } from '@test/test-db';
import { YoungRowsClient } from './young-rows-client';

let tdb: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  tdb = await testDatabase();
  pool = tdb.newPool(2);
});
afterAll(() => tdb.close());

const SERIES =
  "SELECT n, repeat('x', n) AS s, jsonb_build_object('n', n) AS j FROM generate_series(1, $1::int) AS n";
const expected = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ n: i + 1, s: 'x'.repeat(i + 1), j: { n: i + 1 } }));

it('is the client every pool of this service uses (with deferred writes on top)', () => {
  const client = (pool as unknown as { Client: { prototype: unknown } }).Client;
  expect(client.prototype).toBeInstanceOf(YoungRowsClient);
});

it('answers the same rows in every form, in an array that is not the one pg filled', async () => {
  // pg's own array, seen where pg fills it (its Result's addRow).
  const filled = new Set<unknown[]>();
  const spy = jest.spyOn(PgResult.prototype, 'addRow').mockImplementation(function (
    this: { rows: unknown[] },
    row: unknown,
  ) {
    filled.add(this.rows);
    this.rows.push(row);
  });
  const client = await pool.connect();
  try {
    const viaPromise = await client.query(SERIES, [3]);
    expect(viaPromise.rows).toEqual(expected(3));
    expect(filled.size).toBe(1);
    const [pgRows] = [...filled];
    expect(pgRows).not.toBe(viaPromise.rows);
    expect(pgRows).toEqual([]);
    const viaCallback = await new Promise<QueryResult>((resolve, reject) =>
      client.query(SERIES, [2], (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(viaCallback.rows).toEqual(expected(2));
    const empty = await client.query(SERIES, [0]);
    expect(empty.rows).toEqual([]);
    const several = (await client.query(
      "SELECT 1 AS a; SELECT 'b' AS b UNION ALL SELECT 'c'",
    )) as unknown as QueryResult[];
    expect(several.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 'b' }, { b: 'c' }]]);
    await expect(client.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
    await expect(
      new Promise((resolve, reject) =>
        client.query('SELECT 1/0', (err, r) => (err ? reject(err) : resolve(r))),
      ),
    ).rejects.toThrow(/division by zero/);
  } finally {
    client.release();
    spy.mockRestore();
  }
  expect((await pool.query(SERIES, [4])).rows).toEqual(expected(4));
});
