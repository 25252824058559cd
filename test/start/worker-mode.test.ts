/**
 * Worker mode as deployed: the API started with PROJECTIONS_MODE=worker does not project; two
 * `apps/projector` processes join its embedded PostgreSQL (through DATA_DIR), exactly one runs
 * the projector, and when that one is stopped the standby takes over and projects what follows;
 * when the active one is killed (SIGKILL) while events keep coming, the standby takes over with no
 * gap and no duplicate.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PostgresEventStore } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { createPool } from '@kob/postgres';
import {
  assertBuilt,
  cleanup,
  getJson,
  makeTempDir,
  output,
  startApi,
  waitExit,
  waitHealthy,
  waitUntil,
  type ApiProcess,
} from './api-process';

const PROJECTOR_JS = path.join('dist', 'apps', 'projector', 'src', 'main.js');

describe('PROJECTIONS_MODE=worker', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup, 60_000);

  it('projects in exactly one worker process, and a standby takes over', async () => {
    const dataDir = await makeTempDir('kobatela-start-worker-');
    const env = { DATA_DIR: dataDir, PROJECTIONS_MODE: 'worker' };
    const api = startApi({ env });
    await waitHealthy(api);
    const connection = JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8'));
    const pool = createPool(connection, 2);
    const store = new PostgresEventStore(pool);
    const projected = async (category: string) => {
      const res = await pool.query(
        `SELECT coalesce(sum(events), 0)::int AS n FROM event_stats WHERE category = $1`,
        [category],
      );
      return res.rows[0].n as number;
    };
    try {
      await store.appendToStream(`wm1-${randomUUID()}`, [ev('wm.a.v1'), ev('wm.b.v1')], {
        expectedRevision: 'no_stream',
      });
      // Nothing projects in the API process in worker mode.
      const health = (await getJson(api.port!, '/health')).body;
      expect(health.projections_mode).toBe('worker');
      expect(await projected('wm1')).toBe(0);
      const w1 = startApi({ script: PROJECTOR_JS, env });
      const w2 = startApi({ script: PROJECTOR_JS, env });
      const active = (w: ApiProcess) => w.logs.some((l) => l.msg === 'projector active');
      await waitUntil(
        'one worker to take the projector',
        () => (active(w1) || active(w2) ? true : undefined),
        30_000,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${output(w1)}\n${output(w2)}`);
      });
      await waitUntil(
        'the backlog to be projected',
        async () => ((await projected('wm1')) === 2 ? true : undefined),
        30_000,
      );
      expect([active(w1), active(w2)].filter(Boolean)).toHaveLength(1);
      const [leader, standby] = active(w1) ? [w1, w2] : [w2, w1];
      process.kill(leader.pid, 'SIGINT');
      expect((await waitExit(leader, 30_000)).code).toBe(0);
      await store.appendToStream(`wm2-${randomUUID()}`, [ev('wm.c.v1')], {
        expectedRevision: 'no_stream',
      });
      await waitUntil(
        'the standby to take over',
        () => (active(standby) ? true : undefined),
        30_000,
      );
      await waitUntil(
        'the standby to project',
        async () => ((await projected('wm2')) === 1 ? true : undefined),
        30_000,
      );
      expect(await projected('wm1')).toBe(2);
      process.kill(standby.pid, 'SIGINT');
      expect((await waitExit(standby, 30_000)).code).toBe(0);
    } finally {
      await pool.end();
    }
    process.kill(api.pid, 'SIGINT');
    expect((await waitExit(api, 30_000)).code).toBe(0);
  });

  it('a standby takes over from a killed worker with no gap and no duplicate', async () => {
    const dataDir = await makeTempDir('kobatela-start-worker-kill-');
    const env = { DATA_DIR: dataDir, PROJECTIONS_MODE: 'worker' };
    const api = startApi({ env });
    await waitHealthy(api);
    const connection = JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8'));
    const pool = createPool(connection, 2);
    const store = new PostgresEventStore(pool);
    const category = `wk${randomUUID().slice(0, 8)}`;
    const projected = async () => {
      const res = await pool.query(
        `SELECT coalesce(sum(events), 0)::int AS n FROM event_stats WHERE category = $1`,
        [category],
      );
      return res.rows[0].n as number;
    };
    let appended = 0;
    const append = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await store.appendToStream(`${category}-${randomUUID()}`, [ev('wk.a.v1'), ev('wk.b.v1')], {
          expectedRevision: 'no_stream',
        });
        appended += 2;
      }
    };
    try {
      const w1 = startApi({ script: PROJECTOR_JS, env });
      const w2 = startApi({ script: PROJECTOR_JS, env });
      // The worker that runs event_stats (the read model this test counts in).
      const active = (w: ApiProcess) =>
        w.logs.some((l) => l.msg === 'projector active' && l.projector === 'event_stats');
      await waitUntil(
        'one worker to take the projector',
        () => (active(w1) || active(w2) ? true : undefined),
        30_000,
      );
      const [leader, standby] = active(w1) ? [w1, w2] : [w2, w1];
      await append(50);
      // Killed while it projects: appends go on before, during and after the takeover.
      const during = append(100);
      await waitUntil(
        'the leader to project some of it',
        async () => ((await projected()) > 0 ? true : undefined),
        30_000,
      );
      process.kill(leader.pid, 'SIGKILL');
      expect((await waitExit(leader, 30_000)).signal).toBe('SIGKILL');
      await during;
      await append(50);
      await waitUntil(
        'the standby to take over',
        () => (active(standby) ? true : undefined),
        30_000,
      );
      await waitUntil(
        'every event to be projected',
        async () => ((await projected()) >= appended ? true : undefined),
        60_000,
      );
      // Exactly once: nothing lost at the kill, nothing applied twice by the standby.
      expect(appended).toBe(400);
      expect(await projected()).toBe(appended);
      process.kill(standby.pid, 'SIGINT');
      expect((await waitExit(standby, 30_000)).code).toBe(0);
    } finally {
      await pool.end();
    }
    process.kill(api.pid, 'SIGINT');
    expect((await waitExit(api, 30_000)).code).toBe(0);
  }, 180_000);
});
