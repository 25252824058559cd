/**
 * Read-your-writes over HTTP (ARCHITECTURE.md). A command answers with `X-Event-Position`, an
 * opaque token naming its last event; in inline mode it answers only once the projections have
 * applied its events, so a read right after sees them. A GET may send the token back in
 * `X-Min-Event-Position` and then waits, bounded, until the projections have passed it; a token
 * that is not one is a 400 INVALID_EVENT_POSITION.
 */
import { Client } from 'pg';
import { sql } from 'kysely';
import { limits } from '@kob/kernel';
import { comparePositions, decodePosition } from '@kob/event-store';
import { ProjectionRunner } from '@kob/platform';
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope, until } from './http-expect';

const JSON_HEADERS = { 'content-type': 'application/json' };

async function openedCount(t: TestApp): Promise<number> {
  const { rows } = await sql<{ events: string }>`
    SELECT events FROM event_stats WHERE category = 'tally' AND type = 'tally.opened.v1'`.execute(
    t.platform.db,
  );
  return Number(rows[0]?.events ?? 0);
}

const openTally = (t: TestApp) =>
  t.app.inject({
    method: 'POST',
    url: '/probe/tallies',
    headers: JSON_HEADERS,
    payload: JSON.stringify({ currency: 'USD' }),
  });

describe('read-your-writes, inline projections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  it('answers a command with an opaque X-Event-Position, its events already projected', async () => {
    for (let i = 1; i <= 3; i++) {
      const res = await openTally(t);
      expect(res.statusCode).toBe(201);
      const token = String(res.headers['x-event-position']);
      expect(token).not.toMatch(/^\d+$/);
      expect(token).toMatch(/^p1\.[A-Za-z0-9_-]+$/);
      expect(res.headers['x-projection-pending']).toBeUndefined();
      // The token names the command's own last event: the head of the store right now.
      const head = await t.platform.store.headPosition();
      expect(head).not.toBeNull();
      expect(decodePosition(token)).toEqual(head);
      expect(await openedCount(t)).toBe(i);
    }
  });

  it('names later commands with later positions', async () => {
    const first = decodePosition(String((await openTally(t)).headers['x-event-position']));
    const second = decodePosition(String((await openTally(t)).headers['x-event-position']));
    expect(first && second && comparePositions(first, second)).toBe(-1);
  });

  it('answers a GET with a valid X-Min-Event-Position', async () => {
    const token = String((await openTally(t)).headers['x-event-position']);
    const res = await t.app.inject({
      method: 'GET',
      url: '/probe/event-stats',
      headers: { 'x-min-event-position': token },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-projection-pending']).toBeUndefined();
    expect(res.json()).toEqual({
      items: [{ category: 'tally', type: 'tally.opened.v1', events: await openedCount(t) }],
    });
  });

  it.each([
    ['garbage', 'garbage'],
    ['a bare number', '12345'],
    ['a bad prefix', `p2.${Buffer.from('1:1').toString('base64url')}`],
    ['a bad payload', `p1.${Buffer.from('1-1').toString('base64url')}`],
    ['not base64url', 'p1.@@@'],
    ['an empty token', 'p1.'],
  ])('answers X-Min-Event-Position with %s by 400 INVALID_EVENT_POSITION', async (_what, token) => {
    for (const url of ['/probe/event-stats', '/probe/items', '/health']) {
      const res = await t.app.inject({
        method: 'GET',
        url,
        headers: { 'x-min-event-position': token },
      });
      expectErrorEnvelope(res, 400, 'INVALID_EVENT_POSITION');
    }
  });
});

describe('read-your-writes, projections behind', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Projections stopped and no inline wait: the command answers before anything is projected.
    t = await startTestApp({
      controllers: [ProbeController],
      startProjections: false,
      env: { INLINE_PROJECTION_WAIT_MS: '0' },
    });
  });
  afterAll(() => t.close());

  it('says X-Projection-Pending when a command answers before its projection', async () => {
    const res = await openTally(t);
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-projection-pending']).toBe('true');
    expect(res.headers['x-event-position']).toMatch(/^p1\./);
    expect(await openedCount(t)).toBe(0);
  });

  it('holds a GET with X-Min-Event-Position until the projections pass it', async () => {
    const token = String((await openTally(t)).headers['x-event-position']);
    const runner = t.platform.projections;
    // The runner counts the requests parked on it: the GET must be one of them before catch-up.
    expect(runner.waiting).toBe(0);
    const read = t.app.inject({
      method: 'GET',
      url: '/probe/event-stats',
      headers: { 'x-min-event-position': token },
    });
    await until('the GET to wait for the projections', () => runner.waiting === 1);
    expect(await openedCount(t)).toBe(0);
    await runner.catchUp();
    const res = await read;
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-projection-pending']).toBeUndefined();
    expect(res.json()).toEqual({
      items: [{ category: 'tally', type: 'tally.opened.v1', events: 2 }],
    });
  });

  it('refuses a caller it does not let in before waiting for any position', async () => {
    const token = String((await openTally(t)).headers['x-event-position']);
    const waitFor = jest.spyOn(t.platform.projections, 'waitFor');
    try {
      const res = await t.app.inject({
        method: 'GET',
        url: '/escrows/00000000-0000-4000-8000-000000000000',
        headers: { 'x-min-event-position': token },
      });
      expectErrorEnvelope(res, 401, 'NO_API_KEY');
      expect(waitFor).not.toHaveBeenCalled();
    } finally {
      waitFor.mockRestore();
    }
  });

  it('answers a GET without the header at once, whatever the projections', async () => {
    await openTally(t);
    const res = await t.app.inject({ method: 'GET', url: '/probe/event-stats' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-projection-pending']).toBeUndefined();
    // Two of the three opens are projected: the read did not wait for the third.
    expect(res.json()).toEqual({
      items: [{ category: 'tally', type: 'tally.opened.v1', events: 2 }],
    });
  });
});

describe('read-your-writes where another process projects (worker mode)', () => {
  let t: TestApp;
  /** Projects for the app as a worker would: a runner of its own, on the same database. */
  let worker: ProjectionRunner;
  /** When each shared read of every checkpoint was sent, while `counting`. */
  const reads: number[] = [];
  let counting = false;
  const query = Client.prototype.query;
  beforeAll(async () => {
    // This process projects nothing: its waits follow the checkpoints `worker` commits.
    t = await startTestApp({
      controllers: [ProbeController],
      env: { PROJECTIONS_MODE: 'worker', INLINE_PROJECTION_WAIT_MS: '0' },
      startProjections: false,
    });
    worker = new ProjectionRunner(
      t.platform.store,
      t.platform.db,
      t.platform.projections.projectors,
    );
    await worker.init({ rebuildOutdated: false });
    (Client.prototype as { query: unknown }).query = function (this: Client, ...args: unknown[]) {
      const q = args[0] as string | { text?: string };
      const text = typeof q === 'string' ? q : (q?.text ?? '');
      if (counting && /FROM projection_checkpoints WHERE name = ANY/.test(text))
        reads.push(performance.now());
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });
  afterAll(async () => {
    Client.prototype.query = query;
    await t.close();
  });

  it('holds many GETs on one shared read of the checkpoints, and answers them all once the worker has projected', async () => {
    const token = String((await openTally(t)).headers['x-event-position']);
    const runner = t.platform.projections;
    const waiting = 8;
    reads.length = 0;
    counting = true;
    const started = performance.now();
    const gets = Array.from({ length: waiting }, () =>
      t.app.inject({
        method: 'GET',
        url: '/probe/event-stats',
        headers: { 'x-min-event-position': token },
      }),
    );
    await until('every GET to wait for the projections', () => runner.waiting === waiting);
    // Let them wait a while: each read of the checkpoints answers every wait at once.
    await new Promise((r) => setTimeout(r, 150));
    const heldMs = performance.now() - started;
    const whileHeld = reads.length;
    expect(await openedCount(t)).toBe(0);
    // The worker projects: only the checkpoints the app reads tell its waits.
    await worker.catchUp();
    const answers = await Promise.all(gets);
    counting = false;
    for (const res of answers) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-projection-pending']).toBeUndefined();
      expect(res.json()).toEqual({
        items: [{ category: 'tally', type: 'tally.opened.v1', events: 1 }],
      });
    }
    // One statement per read, at most one read per interval, whatever the number of waits
    // (each wait used to read every projector's checkpoint, one statement each, every 25 ms).
    expect(whileHeld).toBeGreaterThanOrEqual(1);
    expect(whileHeld).toBeLessThanOrEqual(
      Math.ceil(heldMs / limits.projectionFollowIntervalMs) + 1,
    );
    expect(reads.length).toBeGreaterThan(whileHeld);
  });

  it('answers a wait that runs out with false, reads nothing once no one waits, and then follows again', async () => {
    const position = decodePosition(String((await openTally(t)).headers['x-event-position']))!;
    const runner = t.platform.projections;
    expect(await runner.waitFor(position, 60)).toBe(false);
    // A read begun just before that deadline may still be on its way: then count.
    await new Promise((r) => setTimeout(r, 3 * limits.projectionFollowIntervalMs));
    reads.length = 0;
    counting = true;
    await new Promise((r) => setTimeout(r, 60));
    counting = false;
    expect(reads).toHaveLength(0);
    await worker.catchUp();
    expect(await runner.waitFor(position, 5_000)).toBe(true);
  });
});
