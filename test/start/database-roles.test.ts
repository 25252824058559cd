/**
 * Database roles as `npm start` sets them up, with real processes:
 * - A fresh DATA_DIR: the API provisions the owner and service roles (passwords kept in DATA_DIR,
 *   0600), publishes the service login in connection.json (and the owner's for `migrate`), and
 *   every session it opens is the service role's, which cannot switch the events guard off.
 * - The CLI next to it, as `npm run cli` runs it (APP_ENV unset, no API_KEY_SECRET): `verify
 *   --all`, `status`, `rebuild` and `migrate` work through DATA_DIR/connection.json.
 * - A DATA_DIR made before the roles existed (every table the superuser's, only part of the
 *   migrations applied): the API takes it over, the owner role applies the rest, the event store
 *   becomes the owner's and the read models the service's, and the old events still verify.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Migrator } from 'kysely';
import { Pool } from 'pg';
import { allMigrations } from '@kob/migrations';
import { PostgresEventStore } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { EmbeddedPostgres, createKysely, createPool, ensureDatabase } from '@kob/postgres';
import {
  assertBuilt,
  cleanup,
  makeTempDir,
  output,
  startApi,
  waitExit,
  waitHealthy,
} from './api-process';

const CLI_JS = path.join('dist', 'apps', 'cli', 'src', 'main.js');
const OWNER = 'kobatela_owner';
const SERVICE = 'kobatela_service';

/** The CLI as `npm run cli -- …` runs it beside `npm start`: same folder, APP_ENV unset. */
async function cli(
  dataDir: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startApi({
    script: CLI_JS,
    args,
    env: {
      DATA_DIR: dataDir,
      APP_ENV: undefined,
      LOG_LEVEL: undefined,
      HOST: undefined,
      PORT: undefined,
    },
  });
  const exit = await waitExit(run, 120_000);
  return { code: exit.code, stdout: run.stdout, stderr: run.stderr };
}

/** A superuser pool on the running embedded server (its bootstrap password is in DATA_DIR). */
function adminPool(dataDir: string): Pool {
  const connection = JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8'));
  const password = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  const pool = new Pool({
    host: connection.host,
    port: connection.port,
    user: 'postgres',
    password,
    database: 'kobatela',
    max: 1,
  });
  pool.on('error', () => undefined);
  return pool;
}

async function ownerOf(admin: Pool, table: string): Promise<string> {
  const res = await admin.query(
    `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = $1::regclass`,
    [table],
  );
  return res.rows[0].owner as string;
}

describe('database roles of the embedded server', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup, 60_000);

  it('connects the API as the service role, and the CLI works beside it', async () => {
    const dataDir = await makeTempDir('kobatela-start-roles-');
    const api = startApi({ env: { DATA_DIR: dataDir } });
    const health = await waitHealthy(api);
    expect(health.database_role).toEqual({ name: SERVICE, can_change_events: false });
    expect(health.scheduler.jobs.map((j: { name: string }) => j.name)).toContain('event-horizon');
    const connection = JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8'));
    expect(connection.user).toBe(SERVICE);
    expect(connection.owner.user).toBe(OWNER);
    for (const file of [
      'connection.json',
      'pg-password',
      'pg-owner-password',
      'pg-service-password',
    ]) {
      expect([file, statSync(path.join(dataDir, file)).mode & 0o777]).toEqual([file, 0o600]);
    }
    const admin = adminPool(dataDir);
    const service = createPool(connection, 1);
    try {
      const sessions = await admin.query(
        `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'kobatela' AND application_name = 'kobatela'`,
      );
      expect(sessions.rows.map((r) => r.usename)).toEqual([SERVICE]);
      expect(await ownerOf(admin, 'events')).toBe(OWNER);
      await expect(
        service.query('ALTER TABLE events DISABLE TRIGGER events_append_only'),
      ).rejects.toThrow(/must be owner/);
      await expect(service.query('SET session_replication_role = replica')).rejects.toThrow(
        /permission denied/,
      );
      await expect(service.query('DELETE FROM events')).rejects.toThrow(/permission denied/);

      const verify = await cli(dataDir, ['verify', '--all']);
      // stderr carries the progress lines only (not a terminal: plain lines, issue 14), no error.
      expect(verify.code).toBe(0);
      expect(verify.stderr).toMatch(/^(verify: \d+\/\d+ streams[^\n]*\n)+$/);
      expect(verify.stdout).toMatch(/verified [1-9]\d* streams, \d+ events: all chains valid/);
      const status = await cli(dataDir, ['status']);
      expect([status.code, status.stderr]).toEqual([0, '']);
      expect(status.stdout).toMatch(/^event_stats v\d+ running checkpoint=/m);
      const rebuild = await cli(dataDir, ['rebuild', 'event_stats']);
      expect(rebuild.code).toBe(0);
      expect(rebuild.stdout).toMatch(/rebuilt event_stats from [1-9]\d* events/);
      expect(await ownerOf(admin, 'event_stats')).toBe(SERVICE);
      const migrate = await cli(dataDir, ['migrate']);
      expect([migrate.code, migrate.stdout]).toEqual([
        0,
        expect.stringMatching(/migrations: \d+ applied, 0 pending/),
      ]);
    } finally {
      await service.end();
      await admin.end();
    }
    process.kill(api.pid, 'SIGINT');
    expect((await waitExit(api, 30_000)).code).toBe(0);
  });

  it('takes over a DATA_DIR made before the roles existed', async () => {
    const dataDir = await makeTempDir('kobatela-start-upgrade-');
    const stream = `old-${randomUUID()}`;
    const lastOld = '20261127000900_mandates';
    const server = new EmbeddedPostgres({ dataDir });
    try {
      const superuser = await server.start();
      await ensureDatabase(superuser, 'kobatela');
      const pool = createPool({ ...superuser, database: 'kobatela' }, 2);
      const db = createKysely<any>(pool);
      // As an older version did: migrations (not all of them yet) and appends as the superuser.
      const older = Object.fromEntries(
        Object.entries(allMigrations).filter(([name]) => name <= lastOld),
      );
      const result = await new Migrator({
        db,
        provider: { getMigrations: async () => older },
        migrationTableName: 'kysely_migration',
        migrationLockTableName: 'kysely_migration_lock',
      }).migrateToLatest();
      expect(result.error).toBeUndefined();
      await new PostgresEventStore(pool).appendToStream(
        stream,
        [ev('old.a.v1', { n: 1 }), ev('old.b.v1', { n: 2 })],
        {
          expectedRevision: 'no_stream',
        },
      );
      await db.destroy();
    } finally {
      await server.stop();
    }

    const api = startApi({ env: { DATA_DIR: dataDir } });
    const health = await waitHealthy(api).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output(api)}`);
    });
    expect(health.migrations_status).toBe('up_to_date');
    expect(health.database_role).toEqual({ name: SERVICE, can_change_events: false });
    const admin = adminPool(dataDir);
    try {
      for (const table of [
        'events',
        'streams',
        'service_secrets',
        'projection_checkpoints',
        'kysely_migration',
        'api_key_usage',
      ]) {
        expect([table, await ownerOf(admin, table)]).toEqual([table, OWNER]);
      }
      // escrows existed before; transactions was made by the owner role during this start.
      for (const table of ['escrows', 'event_stats', 'audit_log', 'transactions']) {
        expect([table, await ownerOf(admin, table)]).toEqual([table, SERVICE]);
      }
      const fn = await admin.query(
        `SELECT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE proname = 'events_append_only'`,
      );
      expect(fn.rows[0].owner).toBe(OWNER);
      const db = await admin.query(
        `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'kobatela'`,
      );
      expect(db.rows[0].owner).toBe(OWNER);
      const projected = await admin.query(
        `SELECT sum(events)::int AS n FROM event_stats WHERE category = 'old'`,
      );
      expect(projected.rows[0].n).toBe(2);
    } finally {
      await admin.end();
    }
    const verify = await cli(dataDir, ['verify', '--stream', stream]);
    expect([verify.code, verify.stdout.trim()]).toEqual([0, `OK stream=${stream} events=2`]);
    process.kill(api.pid, 'SIGINT');
    expect((await waitExit(api, 30_000)).code).toBe(0);
  });
});
