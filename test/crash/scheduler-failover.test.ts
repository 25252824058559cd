/**
 * Scheduler failover between real processes: two processes run the scheduler, exactly one runs
 * the jobs; when it is killed with SIGKILL (no chance to release anything), PostgreSQL drops its
 * lock with its connection and the other process takes over the jobs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile } from '../support/child';

let tdb: TestDatabase;
const children: ChildProcess[] = [];

beforeAll(async () => {
  tdb = await testDatabase();
  await tdb.pool.query(
    'CREATE TABLE scheduler_probe (pid integer NOT NULL, at timestamptz NOT NULL DEFAULT now())',
  );
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await tdb.close();
});

function start(): ChildProcess {
  const child = spawn(process.execPath, [distFile('test/children/scheduler.child.js')], {
    env: { ...process.env, DATABASE_URL: tdb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const runsBy = async (pid: number) =>
  Number(
    (await tdb.pool.query('SELECT count(*)::int AS n FROM scheduler_probe WHERE pid = $1', [pid]))
      .rows[0].n,
  );

describe('scheduler failover', () => {
  it('moves the jobs to the other process when the leader is killed', async () => {
    const one = start();
    const two = start();
    const leaderPid = await until('a leader to run the job', async () => {
      const r = await tdb.pool.query('SELECT DISTINCT pid FROM scheduler_probe');
      return r.rows.length ? (r.rows.map((x) => x.pid as number) as number[]) : undefined;
    });
    expect(leaderPid).toHaveLength(1);
    const leader = [one, two].find((c) => c.pid === leaderPid[0])!;
    const standby = [one, two].find((c) => c !== leader)!;
    expect(await runsBy(standby.pid!)).toBe(0);
    leader.kill('SIGKILL');
    await until('the standby to take over', async () =>
      (await runsBy(standby.pid!)) >= 2 ? true : undefined,
    );
    const afterKill = await runsBy(leader.pid!);
    if (leader.exitCode === null && leader.signalCode === null)
      await new Promise((r) => leader.once('exit', r));
    expect(await runsBy(leader.pid!)).toBe(afterKill);
  });
});
