/**
 * Configuration is validated at start, before anything else happens: each bad value stops the
 * built API with exit code 1 and a message on stderr naming the variable (no stack trace), and
 * nothing is written first (no DATA_DIR, no generated secret). Also checks the `npm start`
 * script: it defaults APP_ENV to development, but an APP_ENV already set always wins (the exact
 * shell expansion is taken from package.json and run through `sh -c`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  assertBuilt,
  cleanup,
  makeTempDir,
  output,
  startApi,
  waitExit,
} from './api-process';

describe('configuration errors stop the process naming the variable', () => {
  let base: string;
  beforeAll(async () => {
    assertBuilt();
    base = await makeTempDir('kobatela-start-config-');
  });
  afterAll(cleanup, 60_000);

  const cases: Array<{ name: string; env: Record<string, string | undefined>; names: string }> = [
    { name: 'PORT=abc', env: { PORT: 'abc' }, names: 'PORT' },
    { name: 'PORT=70000', env: { PORT: '70000' }, names: 'PORT' },
    {
      name: 'APP_ENV=production without API_KEY_SECRET',
      env: { APP_ENV: 'production', API_KEY_SECRET: undefined },
      names: 'API_KEY_SECRET',
    },
    { name: 'APP_ENV=staging', env: { APP_ENV: 'staging' }, names: 'APP_ENV' },
    {
      name: 'APP_ENV=production without a PSP webhook secret',
      env: {
        APP_ENV: 'production',
        API_KEY_SECRET: 'a-production-secret-of-32-characters-or-more',
      },
      names: 'PSP_WEBHOOK_SECRET',
    },
    {
      name: 'PROJECTIONS_MODE=banana',
      env: { PROJECTIONS_MODE: 'banana' },
      names: 'PROJECTIONS_MODE',
    },
    {
      name: 'BOOTSTRAP_ADMIN_API_KEY=bad',
      env: { BOOTSTRAP_ADMIN_API_KEY: 'bad' },
      names: 'BOOTSTRAP_ADMIN_API_KEY',
    },
    { name: 'LOG_LEVEL=loud', env: { LOG_LEVEL: 'loud' }, names: 'LOG_LEVEL' },
    { name: 'DATABASE_URL=mysql://x', env: { DATABASE_URL: 'mysql://x/y' }, names: 'DATABASE_URL' },
    {
      name: 'DATABASE_OWNER_URL without DATABASE_URL',
      env: { DATABASE_OWNER_URL: 'postgres://owner:pw@db.example/kobatela' },
      names: 'DATABASE_OWNER_URL',
    },
    {
      name: 'DATABASE_OWNER_URL naming the same role as DATABASE_URL',
      env: {
        DATABASE_URL: 'postgres://app:pw@db.example/kobatela',
        DATABASE_OWNER_URL: 'postgres://app:other@db.example/kobatela',
      },
      names: 'DATABASE_OWNER_URL',
    },
    {
      name: 'EVENT_HORIZON_HELD_MAX_MS=10',
      env: { EVENT_HORIZON_HELD_MAX_MS: '10' },
      names: 'EVENT_HORIZON_HELD_MAX_MS',
    },
  ];

  it('exits 1 with a message naming the variable, writing nothing (all cases in parallel)', async () => {
    const runs = cases.map((c, i) => {
      // In development a valid start would create DATA_DIR and its secret: a bad value must not.
      const dataDir = path.join(base, `case-${i}`);
      const api = startApi({ env: { APP_ENV: 'development', DATA_DIR: dataDir, ...c.env } });
      return { c, api, dataDir };
    });
    for (const { c, api, dataDir } of runs) {
      const exit = await waitExit(api, 60_000);
      const context = `${c.name}\n${output(api)}`;
      if (exit.code !== 1) throw new Error(`expected exit code 1 for ${context}`);
      if (!api.stderr.includes(`configuration error: ${c.names} `)) {
        throw new Error(`expected stderr to name ${c.names} for ${context}`);
      }
      expect(api.stderr).not.toMatch(/\n\s+at /);
      expect(api.logs.some((l) => l.msg === 'starting')).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
    }
  }, 90_000);

  it('a DATA_DIR that is a file is named in the error, in development (secret) and test (database)', async () => {
    const file = path.join(base, 'not-a-folder');
    writeFileSync(file, 'x');
    const dev = startApi({
      env: { APP_ENV: 'development', DATA_DIR: file, API_KEY_SECRET: undefined },
    });
    const test = startApi({
      env: { APP_ENV: 'test', DATA_DIR: file, PSP_WEBHOOK_SECRET: 'a-webhook-secret' },
    });
    for (const api of [dev, test]) {
      const exit = await waitExit(api, 60_000);
      if (exit.code !== 1) throw new Error(`expected exit code 1\n${output(api)}`);
      expect(api.stderr).toContain(`DATA_DIR`);
      expect(api.stderr).toContain(file);
      expect(api.stderr).not.toMatch(/\n\s+at /);
    }
  }, 90_000);
});

describe('npm start and APP_ENV', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const start = pkg.scripts.start ?? '';
  // `npm start` = build, then `APP_ENV=<expansion> node dist/apps/api/src/main.js`.
  const match = /^npm run -s build && APP_ENV=(\S+) node dist\/apps\/api\/src\/main\.js$/.exec(
    start,
  );

  it('builds, then runs the built API with an APP_ENV expansion', () => {
    expect(match).not.toBeNull();
    expect(match![1]).toBe('${APP_ENV:-development}');
  });

  function appEnvUnder(expansion: string, appEnv: string | undefined): string {
    const env = { ...process.env };
    delete env.APP_ENV;
    if (appEnv !== undefined) env.APP_ENV = appEnv;
    return execFileSync(
      '/bin/sh',
      ['-c', `APP_ENV=${expansion} "$0" -e 'console.log(process.env.APP_ENV)'`, process.execPath],
      { env, encoding: 'utf8' },
    ).trim();
  }

  it('defaults APP_ENV to development, and an APP_ENV already set wins', () => {
    const expansion = match![1]!;
    expect(appEnvUnder(expansion, undefined)).toBe('development');
    expect(appEnvUnder(expansion, 'test')).toBe('test');
    expect(appEnvUnder(expansion, 'production')).toBe('production');
  });
});
