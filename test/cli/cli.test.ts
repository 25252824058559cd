/**
 * The operator CLI as a process against a real database: migrate reports the schema,
 * `verify` passes intact chains and, after a row is edited behind the store's back, exits
 * non-zero naming the stream and the first bad revision; `rebuild` rebuilds a read model.
 * Like a deployment, it connects as the service role and migrates as the owner role; the rows
 * are edited behind its back as a superuser.
 */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile, runChild } from '../support/child';

const CLI = 'apps/cli/src/main.js';
let tdb: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  tdb = await testDatabase();
  env = { DATABASE_URL: tdb.serviceUrl, DATABASE_OWNER_URL: tdb.ownerUrl, APP_ENV: 'test' };
});
afterAll(() => tdb.close());

function cli(args: string[]) {
  return runChild(distFile(CLI), env, 60_000, args);
}

describe('kobatela CLI', () => {
  const good = `escrow-${randomUUID()}`;
  const bad = `escrow-${randomUUID()}`;

  beforeAll(async () => {
    const store = new PostgresEventStore(tdb.pool);
    await store.appendToStream(good, [ev('a.v1', { n: 1 }), ev('b.v1', { n: 2 })], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream(
      bad,
      [ev('a.v1', { amount: '1.00' }), ev('b.v1', { amount: '2.00' }), ev('c.v1')],
      {
        expectedRevision: 'no_stream',
      },
    );
  });

  it('migrate reports an up-to-date schema', async () => {
    const r = await cli(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/migrations: \d+ applied, 0 pending/);
  });

  it('verify passes intact chains', async () => {
    const one = await cli(['verify', '--stream', good]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`OK stream=${good} events=2`);
    const all = await cli(['verify', '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/verified 2 streams, 5 events: all chains valid/);
  });

  it('verify names the stream and revision of an edited row', async () => {
    const client = await tdb.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(
        `UPDATE events SET data = '{"amount":"200.00"}' WHERE stream_id = $1 AND revision = 1`,
        [bad],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const one = await cli(['verify', '--stream', bad]);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain(`BROKEN stream=${bad} revision=1`);
    const all = await cli(['verify', '--all']);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`BROKEN stream=${bad} revision=1`);
    expect(all.stdout).not.toContain(`BROKEN stream=${good}`);
    expect(all.stdout).toContain('1 broken');
  });

  it('refuses updates, deletes and truncation of events and winding back heads, at the database', async () => {
    await expect(tdb.pool.query('DELETE FROM events WHERE stream_id = $1', [good])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      tdb.pool.query(`UPDATE events SET data = '{}' WHERE stream_id = $1`, [good]),
    ).rejects.toThrow(/append-only/);
    await expect(tdb.pool.query('TRUNCATE events')).rejects.toThrow(/append-only/);
    await expect(
      tdb.pool.query('DELETE FROM streams WHERE stream_id = $1', [good]),
    ).rejects.toThrow(/only move forward/);
    await expect(
      tdb.pool.query('UPDATE streams SET revision = 0 WHERE stream_id = $1', [good]),
    ).rejects.toThrow(/only move forward/);
    await expect(
      tdb.pool.query("SET kobatela.allow_event_tampering = 'on'; DELETE FROM events"),
    ).rejects.toThrow(/append-only/);
  });

  it('verify --all still finds a stream whose head row a superuser removed', async () => {
    const client = await tdb.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query('DELETE FROM streams WHERE stream_id = $1', [good]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const all = await cli(['verify', '--all']);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`BROKEN stream=${good}`);
  });

  it('rebuild rebuilds a read model, or all of them in one pass; bad usage exits 2', async () => {
    const r = await cli(['rebuild', 'event_stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rebuilt event_stats from 5 events/);
    const stats = await tdb.pool.query(
      `SELECT sum(events)::int AS n FROM event_stats WHERE category = 'escrow'`,
    );
    expect(stats.rows[0].n).toBe(5);
    // The swapped-in table is the service role's, so the next rebuild may drop it again.
    const owner = await tdb.pool.query(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'event_stats'::regclass`,
    );
    expect(owner.rows[0].owner).toBe('kobatela_service');
    const all = await cli(['rebuild', 'all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/rebuilt \d+ read models from \d+ events/);
    const again = await tdb.pool.query(
      `SELECT sum(events)::int AS n FROM event_stats WHERE category = 'escrow'`,
    );
    expect(again.rows[0].n).toBe(5);
    const usage = await cli(['verify']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: kobatela');
    expect((await cli(['explode'])).code).toBe(2);
  });
});
