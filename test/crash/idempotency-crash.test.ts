/**
 * Crash between "append committed" and "answer sent": a child process runs a command with an
 * Idempotency-Key and is SIGKILLed right after its append commits (test hook switched on by
 * KOBATELA_TEST_CRASH_AFTER_APPEND). The client's retry, served by a new process, must return
 * the first answer and append nothing, on both idempotency paths.
 */
import { randomUUID } from 'node:crypto';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile, runChild } from '../support/child';

const CHILD = 'test/children/idempotency-crash.child.js';
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await testDatabase();
});
afterAll(() => tdb.close());

async function count(): Promise<number> {
  return (await tdb.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
}

describe('idempotency across a crash right after the append', () => {
  it('create path: the retry finds the stream the crashed process created', async () => {
    const key = `crash-create-${randomUUID()}`;
    const env = { DATABASE_URL: tdb.serviceUrl, IDEM_KEY: key, OP: 'create' };
    const crashed = await runChild(distFile(CHILD), {
      ...env,
      KOBATELA_TEST_CRASH_AFTER_APPEND: '1',
    });
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout).toBe('');
    const afterCrash = await count();
    expect(afterCrash).toBe(2); // the tally's opening event and its idem- reservation, committed
    const retry = await runChild(distFile(CHILD), env);
    expect(retry.code).toBe(0);
    const answer = JSON.parse(retry.stdout);
    expect(answer.replayed).toBe(true);
    expect(answer.events).toEqual([
      expect.objectContaining({ type: 'tally.opened.v1', revision: '0' }),
    ]);
    expect(await count()).toBe(afterCrash);
    const reused = await runChild(distFile(CHILD), { ...env, REQUEST_HASH: 'other-body' });
    expect(reused.code).toBe(1);
    expect(reused.stderr).toContain('IDEMPOTENCY_KEY_REUSED');
  });

  it('existing stream: the retry returns the recorded events instead of adding twice', async () => {
    const created = await runChild(distFile(CHILD), {
      DATABASE_URL: tdb.serviceUrl,
      IDEM_KEY: `open-${randomUUID()}`,
      OP: 'create',
    });
    const tallyId = (JSON.parse(created.stdout).streamId as string).slice('tally-'.length);
    const env = {
      DATABASE_URL: tdb.serviceUrl,
      IDEM_KEY: `add-${randomUUID()}`,
      OP: 'add',
      TALLY_ID: tallyId,
    };
    const before = await count();
    const crashed = await runChild(distFile(CHILD), {
      ...env,
      KOBATELA_TEST_CRASH_AFTER_APPEND: '1',
    });
    expect(crashed.signal).toBe('SIGKILL');
    expect(await count()).toBe(before + 1);
    const retry = await runChild(distFile(CHILD), env);
    expect(retry.code).toBe(0);
    const answer = JSON.parse(retry.stdout);
    expect(answer).toMatchObject({
      replayed: true,
      events: [{ type: 'tally.added.v1', revision: '1', data: { total: '7.00' } }],
    });
    expect(await count()).toBe(before + 1);
  });
});
