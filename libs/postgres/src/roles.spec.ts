/**
 * The service role's privileges, at the database: with the service's own credentials nothing
 * can rewrite `events` or switch its guards off (no UPDATE, DELETE, TRUNCATE; not the owner, so
 * no DISABLE TRIGGER, DROP TRIGGER, replacing the trigger function; not a superuser, so no
 * `session_replication_role = replica`), while appends and reads work and the read-model tables
 * are its own. The owner's grant step repairs what an older setup left (too wide a grant, an
 * event-store table owned by the service role) and reports a role that could tamper.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { allProjectors } from '@kob/projections';
import { PostgresEventStore } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { createKysely, createPool } from './database';
import {
  EVENT_STORE_GRANTS,
  OWNER_ROLE,
  SERVICE_ROLE,
  eventStoreExposure,
  grantServiceRole,
} from './roles';

let tdb: TestDatabase;
let service: Pool;
const stream = `roles-${randomUUID()}`;

beforeAll(async () => {
  tdb = await testDatabase();
  service = tdb.newServicePool(3);
  const store = new PostgresEventStore(service);
  await store.appendToStream(stream, [ev('roles.a.v1', { n: 1 }), ev('roles.b.v1', { n: 2 })], {
    expectedRevision: 'no_stream',
  });
});
afterAll(() => tdb.close());

async function owners(): Promise<Map<string, string>> {
  const res = await tdb.pool.query<{ name: string; owner: string }>(`
    SELECT relname AS name, pg_get_userbyid(relowner) AS owner FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`);
  return new Map(res.rows.map((r) => [r.name, r.owner]));
}

async function asOwner<T>(
  work: (db: ReturnType<typeof createKysely<any>>) => Promise<T>,
): Promise<T> {
  const db = createKysely<any>(createPool(tdb.ownerUrl, 2, { owner: true }));
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

describe('the service role', () => {
  it.each([
    ['ALTER TABLE events DISABLE TRIGGER events_append_only', /must be owner/],
    ['ALTER TABLE events DISABLE TRIGGER ALL', /must be owner/],
    ['DROP TRIGGER events_append_only ON events', /must be owner/],
    ['DROP TRIGGER events_no_truncate ON events', /must be owner/],
    ['ALTER TABLE streams DISABLE TRIGGER streams_forward_only', /must be owner/],
    [
      'CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
      /must be owner/,
    ],
    ['DROP TABLE events', /must be owner/],
    ["UPDATE events SET data = '{}'", /permission denied/],
    ['DELETE FROM events', /permission denied/],
    ['TRUNCATE events', /permission denied/],
    ['DELETE FROM streams', /permission denied/],
    ['TRUNCATE streams', /permission denied/],
    ["UPDATE service_secrets SET value = 'x'", /permission denied/],
    ['SET session_replication_role = replica', /permission denied/],
    [`SET ROLE ${OWNER_ROLE}`, /permission denied/],
    [`ALTER ROLE ${SERVICE_ROLE} SUPERUSER`, /permission denied/],
  ])('is refused: %s', async (statement, message) => {
    const err = await service.query(statement).then(
      () => null,
      (e: { code?: string; message: string }) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.code).toBe('42501'); // insufficient_privilege: refused for the role, not by a trigger
    expect(err!.message).toMatch(message);
  });

  it('appends and reads, and the events are unchanged by the refused statements', async () => {
    const store = new PostgresEventStore(service);
    const read = await store.readStream(stream);
    expect(read.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    await store.appendToStream(stream, [ev('roles.c.v1')], { expectedRevision: 1n });
    expect((await store.readStream(stream)).length).toBe(3);
    const triggers = await tdb.pool.query(
      `SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass AND tgenabled = 'O' ORDER BY 1`,
    );
    expect(triggers.rows.map((r) => r.tgname)).toEqual([
      'events_append_only',
      'events_no_truncate',
    ]);
  });

  it('owns the read-model tables and nothing of the event store', async () => {
    const byTable = await owners();
    for (const table of allProjectors.flatMap((p) => p.tables))
      expect([table, byTable.get(table)]).toEqual([table, SERVICE_ROLE]);
    for (const table of Object.keys(EVENT_STORE_GRANTS))
      expect([table, byTable.get(table)]).toEqual([table, OWNER_ROLE]);
    expect(byTable.get('api_key_usage')).toBe(OWNER_ROLE);
    expect(await eventStoreExposure(createKysely<any>(tdb.newServicePool(1)))).toEqual({
      role: SERVICE_ROLE,
      exposed: null,
    });
  });

  it('may write the other tables it needs, but not own them', async () => {
    const keyId = randomUUID();
    await service.query('INSERT INTO api_key_usage (key_id, last_used_at) VALUES ($1, now())', [
      keyId,
    ]);
    await service.query('DELETE FROM api_key_usage WHERE key_id = $1', [keyId]);
    await expect(service.query('DROP TABLE api_key_usage')).rejects.toThrow(/must be owner/);
  });
});

describe('the owner grant step', () => {
  it('revokes too wide a grant and takes back an event-store table the service role owns', async () => {
    await tdb.pool.query(`GRANT UPDATE, DELETE, TRUNCATE ON events TO ${SERVICE_ROLE}`);
    await tdb.pool.query(`ALTER TABLE service_secrets OWNER TO ${SERVICE_ROLE}`);
    await tdb.pool.query(`ALTER TABLE escrows OWNER TO ${OWNER_ROLE}`);
    const exposed = await eventStoreExposure(createKysely<any>(tdb.newServicePool(1)));
    expect(exposed.exposed).toMatch(/UPDATE, DELETE or TRUNCATE/);

    await asOwner((db) =>
      grantServiceRole(
        db,
        SERVICE_ROLE,
        allProjectors.flatMap((p) => p.tables),
      ),
    );

    const byTable = await owners();
    expect(byTable.get('service_secrets')).toBe(OWNER_ROLE);
    expect(byTable.get('escrows')).toBe(SERVICE_ROLE);
    await expect(service.query('DELETE FROM events')).rejects.toThrow(/permission denied/);
    await expect(service.query("UPDATE service_secrets SET value = 'x'")).rejects.toThrow(
      /permission denied/,
    );
    expect(
      (await service.query('SELECT count(*)::int AS n FROM service_secrets')).rows[0].n,
    ).toBeGreaterThan(0);
    expect((await eventStoreExposure(createKysely<any>(tdb.newServicePool(1)))).exposed).toBeNull();
  });

  it('changes nothing when every right is already in place', async () => {
    const before = await tdb.pool.query(
      `SELECT relname, xmin::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1`,
    );
    await asOwner((db) =>
      grantServiceRole(
        db,
        SERVICE_ROLE,
        allProjectors.flatMap((p) => p.tables),
      ),
    );
    const after = await tdb.pool.query(
      `SELECT relname, xmin::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1`,
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('names a role that could change the events table', async () => {
    const admin = createKysely<any>(tdb.newPool(1));
    expect((await eventStoreExposure(admin)).exposed).toMatch(/superuser/);
    const owner = await asOwner((db) => eventStoreExposure(db));
    expect(owner).toEqual({
      role: OWNER_ROLE,
      exposed: expect.stringMatching(/owns the events table/),
    });
  });
});
