/**
 * Payment recovery across a scheduler failover, between real processes (API-RULES.md §3, §6):
 * two processes run the real escrow jobs on one database, one of them as the leader. A payout is
 * left PENDING (the PSP did not answer), and the leader is killed with SIGKILL before the payment
 * is old enough for the recovery job to touch it. The standby must take the lock over and send
 * the payment itself, once, as `system:scheduler`; the killed process must have recorded
 * nothing. Which process wrote each event is known from a trigger on the test database that
 * copies each insert's `application_name` (each child connects with its own).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { escrowJobLimits } from '../../apps/api/src/jobs';
import { distFile } from '../support/child';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { storeEnv } from '../support/stored-events';

const CHILD = 'test/children/payments-scheduler.child.js';

interface Scheduled {
  name: string;
  child: ChildProcess;
  lines: string[];
}

let api: EscrowApi;
const children: Scheduled[] = [];

beforeAll(async () => {
  api = await startEscrowApi();
  await api.t.tdb.pool.query(`
    CREATE TABLE event_writers (position bigint PRIMARY KEY, app text NOT NULL);
    CREATE FUNCTION record_event_writer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO event_writers (position, app) VALUES (NEW.position, current_setting('application_name'));
        RETURN NULL;
      END $$;
    CREATE TRIGGER events_writer AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION record_event_writer();
    -- The trigger runs as the appending role: the test app appends as the service role.
    GRANT INSERT ON event_writers TO kobatela_service;
  `);
});

afterAll(async () => {
  for (const s of children) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await api.close();
});

function start(name: string): Scheduled {
  const child = spawn(process.execPath, [distFile(CHILD)], {
    env: {
      ...process.env,
      DATABASE_URL: `${api.t.tdb.url}?application_name=${name}`,
      ...storeEnv(api.t.platform),
      SCHEDULER_PAYMENT_RECOVERY_INTERVAL_MS: '1000',
      SCHEDULER_TICK_MS: '50',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s: Scheduled = { name, child, lines: [] };
  let partial = '';
  child.stdout!.on('data', (chunk) => {
    const text = partial + String(chunk);
    const parts = text.split('\n');
    partial = parts.pop()!;
    s.lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.on('exit', (code) => {
    if (code !== null && code !== 0) s.lines.push(`exited ${code}: ${stderr}`);
  });
  children.push(s);
  return s;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const seen = children
        .map((c) => `${c.name} (pid ${c.child.pid}):\n  ${c.lines.join('\n  ')}`)
        .join('\n');
      throw new Error(`timed out waiting for ${what}\n${seen}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

const isLeader = (s: Scheduled) => s.lines.includes(`leader ${s.child.pid}`);
const jobLines = (s: Scheduled, job: string) => s.lines.filter((l) => l.startsWith(`job ${job} `));

async function eventsOf(
  paymentId: string,
): Promise<{ type: string; actor: unknown; app: string | null }[]> {
  const r = await api.t.tdb.pool.query(
    `SELECT e.type, e.metadata->'actor' AS actor, w.app
       FROM events e LEFT JOIN event_writers w ON w.position = e.position
      WHERE e.type LIKE 'payment.%' AND e.data->>'paymentId' = $1
      ORDER BY e.position`,
    [paymentId],
  );
  return r.rows;
}

const writtenBy = async (app: string) =>
  Number(
    (
      await api.t.tdb.pool.query('SELECT count(*)::int AS n FROM event_writers WHERE app = $1', [
        app,
      ])
    ).rows[0].n,
  );

describe('payment recovery failover', () => {
  it('the standby takes over from a killed leader and sends the PENDING payment once, as system:scheduler', async () => {
    const escrowId = await api.escrow({ amount_total: '25.00' });
    const milestoneId = await api.milestone(escrowId, 1, '25.00');
    expect((await api.deposit(escrowId, '25.00')).json()).toMatchObject({ status: 'FUNDED' });

    const [a, b] = [start('payments-scheduler-a'), start('payments-scheduler-b')];
    const leader = await until('a leader', () => [a, b].find(isLeader));
    const standby = leader === a ? b : a;
    await until('the standby to start', () =>
      standby.lines.includes(`started ${standby.child.pid}`) ? true : undefined,
    );
    // The leader runs the jobs (its first recovery run found nothing to do); the standby does not.
    expect(
      await until(
        'the leader to run the recovery job',
        () => jobLines(leader, 'payment-recovery')[0],
      ),
    ).toBe('job payment-recovery payments: none; webhooks: none; deposits: none');
    expect(isLeader(standby)).toBe(false);

    // A payout the PSP did not answer: PENDING (this process's simulator times out).
    const psp = api.t.platform.psp;
    psp.mode = 'timeout';
    psp.answerTimeoutMs = 20;
    let payout;
    try {
      payout = (await api.release(milestoneId)).json();
    } finally {
      psp.mode = 'accept';
    }
    expect(payout).toMatchObject({ status: 'PENDING', milestone: { status: 'PAYING' } });

    const exited = new Promise((r) => leader.child.once('exit', r));
    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(killedAt - Date.parse(payout.created_at)).toBeLessThan(escrowJobLimits.recoveryMinAgeMs);
    await exited;
    expect(leader.child.signalCode).toBe('SIGKILL');

    await until('the standby to take the lock over', () => (isLeader(standby) ? true : undefined));
    const sent = await until('the payment to be sent', async () => {
      const events = await eventsOf(payout.id);
      return events.some((e) => e.type === 'payment.sent.v1') ? events : undefined;
    });
    expect(sent).toEqual([
      {
        type: 'payment.initiated.v1',
        actor: expect.objectContaining({ kind: 'api_key' }),
        app: 'kobatela',
      },
      {
        type: 'payment.sent.v1',
        actor: { kind: 'system', name: 'system:scheduler' },
        app: standby.name,
      },
    ]);
    // The standby asked the PSP once, under the payment id; the killed leader never did.
    expect(standby.lines.filter((l) => l.startsWith('psp transfer '))).toEqual([
      `psp transfer ${payout.id}`,
    ]);
    expect(leader.lines.filter((l) => l.startsWith('psp transfer '))).toEqual([]);
    // The job prints its outcome once its whole run is over, a moment after the append.
    await until('the standby to report the recovery', () =>
      jobLines(standby, 'payment-recovery').includes(
        'job payment-recovery payments: 1 SENT; webhooks: none; deposits: none',
      )
        ? true
        : undefined,
    );
    expect(jobLines(standby, 'payment-recovery').filter((l) => l.includes(' failed '))).toEqual([]);
    // The killed process recorded nothing at all, before its death (nothing was due) or after it.
    expect(await writtenBy(leader.name)).toBe(0);

    await until('the payment to read SENT', async () => {
      const res = await api.call('GET', `/payments/${payout.id}`, api.keys.support);
      return res.json().status === 'SENT' ? true : undefined;
    });
    const summary = await api.summary(escrowId);
    expect(summary.escrow.status).toBe('RELEASED');
    expect(summary.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID']);
    expect(summary.balances).toMatchObject({ paid: '25.00', held: '0.00' });
    // Later recovery runs leave the payment alone.
    const runs = jobLines(standby, 'payment-recovery').length;
    await until('another recovery run', () =>
      jobLines(standby, 'payment-recovery').length > runs ? true : undefined,
    );
    expect((await eventsOf(payout.id)).length).toBe(2);
    expect(standby.lines.filter((l) => l.startsWith('psp transfer '))).toHaveLength(1);
    expect(await writtenBy(leader.name)).toBe(0);
  });
});
