/**
 * Progress of the long commands: on a terminal (a pseudo-terminal from util-linux `script`) a
 * bar with the percentage, rate and time left; otherwise plain lines on stderr (JSON with
 * `--json`), never on stdout. And `export` into a consumer that reads slowly: it waits for the
 * pipe instead of buffering, and every line arrives.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { limits } from '@kob/kernel';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile, runChild } from '../support/child';

const CLI = 'apps/cli/src/main.js';
/** Enough events for an export larger than a pipe's buffer (64 KiB) many times over. */
const EVENTS = 3 * limits.appendEventsPerCallMax;
let tdb: TestDatabase;
let env: Record<string, string>;
const hasScript = spawnSync('script', ['--version']).status === 0;

beforeAll(async () => {
  tdb = await testDatabase();
  env = { DATABASE_URL: tdb.serviceUrl, DATABASE_OWNER_URL: tdb.ownerUrl, APP_ENV: 'test' };
  const store = new PostgresEventStore(tdb.pool);
  const stream = `bulk-${randomUUID()}`;
  for (let done = 0; done < EVENTS; done += limits.appendEventsPerCallMax) {
    const events = Array.from({ length: limits.appendEventsPerCallMax }, (_, i) =>
      ev('bulk.counted.v1', { n: done + i, padding: 'x'.repeat(200) }),
    );
    await store.appendToStream(stream, events, { expectedRevision: 'any' });
  }
});
afterAll(() => tdb.close());

function cli(args: string[]) {
  return runChild(distFile(CLI), env, 60_000, args);
}

describe('progress of long commands', () => {
  (hasScript ? it : it.skip)('draws a bar with rate and ETA on a terminal', async () => {
    const command = `${process.execPath} ${distFile(CLI)} rebuild event_stats`;
    const r = spawnSync('script', ['-qefc', command, '/dev/null'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /rebuild event_stats \[[=-]+\] \d+% \| \d+\/\d+ events \| \d+\/s \| ETA/,
    );
    expect(r.stdout).toContain(`rebuilt event_stats from ${EVENTS} events`);
  });

  it('writes plain lines on stderr when it is not a terminal, JSON ones with --json', async () => {
    const plain = await cli(['rebuild', 'event_stats']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(
      new RegExp(`rebuild event_stats: ${EVENTS}/\\d+ events \\(\\d+/s`),
    );
    expect(plain.stdout).toBe(`rebuilt event_stats from ${EVENTS} events\n`);
    const json = await cli(['verify', '--all', '--json']);
    expect(json.code).toBe(0);
    const last = json.stderr.trimEnd().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({
      progress: 'verify',
      unit: 'streams',
      done: 1,
      total: 1,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
  });

  it('export waits for a slow reader and loses nothing', async () => {
    const child = spawn(
      process.execPath,
      [distFile(CLI), 'export', '--from', 'start', '--format', 'jsonl'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let received = '';
    // Read a chunk, then nothing for a while: the CLI must wait for the pipe to drain.
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 5);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = received.trimEnd().split('\n');
    expect(lines).toHaveLength(EVENTS);
    expect(lines.map((l) => JSON.parse(l).data.n)).toEqual(
      Array.from({ length: EVENTS }, (_, i) => i),
    );
  });

  it('export into a reader that stops early (| head) ends quietly with exit 1', async () => {
    const child = spawn(
      process.execPath,
      [distFile(CLI), 'export', '--from', 'start', '--format', 'jsonl'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).not.toContain('EPIPE');
  });
});
