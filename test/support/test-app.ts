/**
 * The real API on a test database: same buildApp as main.ts, config from loadConfig with
 * APP_ENV=test, logs captured in memory (tests read them to check that no secret is ever
 * logged). Tests speak HTTP through Fastify's inject. Like a deployment, the app connects as the
 * service role (DATABASE_URL) and migrates as the owner role (DATABASE_OWNER_URL), so every test
 * through it exercises the service's real privileges.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@kob/config';
import type { PaymentServices } from '../../apps/api/src/payments/shared';
import type { ProofServices } from '../../apps/api/src/proofs/shared';
import { createLogger, openPlatform, type Platform } from '@kob/platform';
import { allProjectors } from '@kob/projections';
import { buildApp } from '../../apps/api/src/app';
import { testDatabase, type TestDatabase } from './test-db';
import {
  type EventStoreDbDouble,
  startEventStoreDbDouble,
} from './eventstoredb-double/eventstoredb-double';

export interface TestApp {
  app: NestFastifyApplication;
  platform: Platform;
  /** The money services the app's controllers use (tests run the scheduler's jobs with them). */
  payments: PaymentServices;
  proofs: ProofServices;
  tdb: TestDatabase;
  routes: { method: string; url: string }[];
  /** Every log line written so far (JSON strings). */
  logs: string[];
  /** The EventStoreDB double the events are on (`npm run test:eventstoredb`), else null. */
  eventStoreDouble: EventStoreDbDouble | null;
  /** Closes the app and its platform; the database stays (when shared with other apps). */
  closeApp(): Promise<void>;
  /** Closes the app and drops the database it created (not one it was given). */
  close(): Promise<void>;
}

/**
 * Rate limits raised for tests, explicitly (the production defaults stay as they are): the suite
 * fires thousands of requests with one key, and hundreds of failed authentications, all from
 * inject's one address. test/http/rate-limits.test.ts checks the limits at small values, and a
 * test may set its own through `env`.
 */
export const TEST_RATE_LIMITS = {
  RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
  RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '100000000',
  RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE: '100000000',
};

/** The PSP webhook secret test apps start with (tests sign webhooks with it). */
export const TEST_WEBHOOK_SECRET = 'test-psp-webhook-secret-0123456789';

export async function startTestApp(
  options: {
    env?: Record<string, string>;
    controllers?: Type[];
    providers?: Type[];
    startProjections?: boolean;
    /** Join this database instead of creating one (several app instances on one database). */
    database?: TestDatabase;
  } = {},
): Promise<TestApp> {
  const tdb = options.database ?? (await testDatabase());
  const double = await eventStoreDoubleFor(options.env, tdb);
  // Uploaded proof files go under DATA_DIR: a temp folder per app unless the test names one.
  const ownDataDir = options.env?.DATA_DIR
    ? null
    : await mkdtemp(path.join(tmpdir(), 'kobatela-test-app-'));
  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: tdb.serviceUrl,
    DATABASE_OWNER_URL: tdb.ownerUrl,
    LOG_LEVEL: 'info',
    PSP_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
    ...TEST_RATE_LIMITS,
    ...(double
      ? { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: double.connectionString }
      : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const platform = await openPlatform(config, logger, {
    embedded: 'own',
    projectors: allProjectors,
    poolMax: 10,
  });
  await platform.projections.init();
  if (options.startProjections !== false && config.projectionsMode === 'inline')
    platform.projections.start();
  const { app, routes, payments, proofs } = await buildApp(platform, logger, {
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  });
  return {
    app,
    platform,
    payments,
    proofs,
    tdb,
    routes,
    logs,
    eventStoreDouble: double,
    closeApp: async () => {
      await app.close();
      await platform.close();
      if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
    },
    close: async () => {
      await app.close();
      await platform.close();
      if (!options.database) await tdb.close();
      if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `TEST_EVENT_STORE=eventstoredb` (npm run test:eventstoredb) runs the events on an EventStoreDB
 * test double (through the real client; read models, checkpoints and reservations' tables stay
 * in the test database), unless the test names its store itself. Apps on one database share
 * its double, as replicas share a cluster, and it lives as long as the database: it stops when
 * the database is closed.
 */
const doubles = new Map<TestDatabase, Promise<EventStoreDbDouble>>();

async function eventStoreDoubleFor(
  env: Record<string, string> | undefined,
  tdb: TestDatabase,
): Promise<EventStoreDbDouble | null> {
  if (process.env.TEST_EVENT_STORE !== 'eventstoredb' || env?.EVENT_STORE) return null;
  let double = doubles.get(tdb);
  if (!double) {
    double = startEventStoreDbDouble();
    doubles.set(tdb, double);
    const closeDatabase = tdb.close.bind(tdb);
    tdb.close = async () => {
      doubles.delete(tdb);
      await (await double!).close();
      await closeDatabase();
    };
  }
  return double;
}
