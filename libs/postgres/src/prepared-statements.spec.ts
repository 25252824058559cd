/**
 * Prepared statements (prepared-statements.ts) on a real PostgreSQL: a statement marked as never
 * varying is prepared once in the session that runs it (pg_prepared_statements shows it, under
 * the digest of its text) and its later calls only bind values; an unmarked one is not; the
 * same marked write twice back to back in a deferring transaction (pipeline mode, the second
 * sent before the first's Parse is answered) is written twice; a statement a migration made
 * stale in its session fails once, as a busy database (retried), and runs under a new name after;
 * a text put past the bound runs unnamed.
 */
import { type Kysely, sql } from 'kysely';
import type { Pool } from 'pg';
import { deferredWriteMarks, preparedStatementMark } from '@kob/kernel';
import { deferWrites, deferredWrite, preparedMark } from '@kob/projections';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { createKysely } from './database';
import { databaseFailure } from './failures';
import {
  STATEMENT_NAMES_MAX,
  isStalePreparedStatement,
  namedIfMarked,
  statementName,
} from './prepared-statements';

let tdb: TestDatabase;
let pool: Pool;
let db: Kysely<any>;

beforeAll(async () => {
  tdb = await testDatabase();
  pool = tdb.newPool(1);
  db = createKysely(pool);
  await sql`CREATE TABLE prepared_t (id int PRIMARY KEY, v text NOT NULL)`.execute(db);
});
afterAll(() => tdb.close());

/** The statements prepared in the pool's one session, by name. */
const prepared = async () =>
  new Map(
    (
      await sql<{
        name: string;
        statement: string;
      }>`SELECT name, statement FROM pg_prepared_statements`.execute(db)
    ).rows.map((r) => [r.name, r.statement]),
  );

it('prepares a marked statement once per session and binds only values after', async () => {
  const marked = (id: number) =>
    sql`${preparedMark}INSERT INTO prepared_t (id, v) VALUES (${id}, ${`v${id}`})`;
  for (const id of [1, 2, 3]) await marked(id).execute(db);
  await sql`INSERT INTO prepared_t (id, v) VALUES (${4}, ${'plain'})`.execute(db);
  const names = await prepared();
  const text = marked(0).compile(db).sql;
  const name = statementName(text)!;
  expect(name).toMatch(/^kobatela-[0-9a-f]{32}$/);
  expect(names.get(name)).toBe(text);
  // One statement prepared for the three calls, none for the unmarked insert.
  expect([...names.values()].filter((s) => s.includes('prepared_t'))).toEqual([text]);
  const rows = await sql<{ id: number }>`SELECT id FROM prepared_t ORDER BY id`.execute(db);
  expect(rows.rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
});

it('writes the same marked statement twice in a row in a deferring transaction', async () => {
  await sql`TRUNCATE prepared_t`.execute(db);
  const write = (id: number) =>
    sql`${preparedMark}INSERT INTO prepared_t (id, v) VALUES (${id}, ${'deferred'}) ON CONFLICT (id) DO NOTHING`;
  await db.transaction().execute(async (trx) => {
    await deferWrites(trx);
    // Both leave before either is answered: the second must not send a second Parse.
    await deferredWrite(trx, write(10));
    await deferredWrite(trx, write(11));
  });
  const rows = await sql<{ id: number }>`SELECT id FROM prepared_t ORDER BY id`.execute(db);
  expect(rows.rows.map((r) => r.id)).toEqual([10, 11]);
  const text = deferredWriteMarks.write + write(0).compile(db).sql;
  expect((await prepared()).get(statementName(text)!)).toBe(text);
});

it('renames in its session a statement a migration made stale, after one failure retried as busy', async () => {
  await sql`CREATE TABLE stale_t (v varchar(10))`.execute(db);
  await sql`INSERT INTO stale_t VALUES ('x')`.execute(db);
  const statement = sql<{ v: string }>`${preparedMark}SELECT v FROM stale_t`;
  const read = () => statement.execute(db);
  await read();
  await read();
  // Another session changes the type of the column the prepared statement returns.
  await tdb.pool.query('ALTER TABLE stale_t ALTER COLUMN v TYPE varchar(20)');
  const err = await read().then(
    () => null,
    (e: unknown) => e,
  );
  expect(isStalePreparedStatement(err)).toBe(true);
  expect(databaseFailure(err)).toBe('busy');
  // The same session: prepared afresh under a new name, and it stays answered.
  expect((await read()).rows).toEqual([{ v: 'x' }]);
  expect((await read()).rows).toEqual([{ v: 'x' }]);
  const name = statementName(statement.compile(db).sql)!;
  expect((await prepared()).has(`${name}~1`)).toBe(true);
});

it('names by the text, only a marked one, and only so many texts', () => {
  const a = `${preparedStatementMark}SELECT 1`;
  expect(statementName(a)).toBe(statementName(`${preparedStatementMark}SELECT 1`));
  expect(statementName(a)).not.toBe(statementName(`${preparedStatementMark}SELECT 2`));
  expect(statementName('SELECT 1')).toBeUndefined();
  // The mark counts only at the start, or right after a deferred write's.
  expect(statementName(`SELECT 1 ${preparedStatementMark}`)).toBeUndefined();
  expect(statementName(`${deferredWriteMarks.write}${a}`)).toMatch(/^kobatela-/);
  // Other call forms are left alone: a callback in place of the values, a config object.
  const callback = () => undefined;
  expect(namedIfMarked([a, callback])).toEqual([a, callback]);
  expect(namedIfMarked([{ text: a }])).toEqual([{ text: a }]);
  expect(namedIfMarked([a, [1], callback])).toEqual([
    { name: statementName(a), text: a, values: [1] },
    callback,
  ]);
  for (let i = 0; i < STATEMENT_NAMES_MAX; i++)
    statementName(`${preparedStatementMark}SELECT ${i + 100}`);
  expect(statementName(`${preparedStatementMark}SELECT -1`)).toBeUndefined();
  expect(statementName(a)).toMatch(/^kobatela-/);
});
