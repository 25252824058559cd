/**
 * GET /metrics (no key) exposes this process's Prometheus registry: HTTP requests counted by
 * method, route pattern (never the raw URL, which would grow without bound) and status; commands
 * counted by type and outcome; event store append latency.
 */
import { PostgresEventStore } from '@kob/event-store';
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';

/** `name{a="x",b="y"} 3` → the value of the sample with exactly those labels, else undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      got[pair[1]!] = pair[2]!;
    }
    if (
      JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(labels).sort())
    ) {
      return Number(m[3]);
    }
  }
  return undefined;
}

describe('GET /metrics', () => {
  let t: TestApp;
  let text: string;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
    const post = (url: string, body: unknown, key?: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        payload: JSON.stringify(body),
      });
    const opened = await post('/probe/tallies', { currency: 'USD' }, 'metrics-1');
    expect(opened.statusCode).toBe(201);
    expect((await post('/probe/tallies', { currency: 'USD' }, 'metrics-1')).statusCode).toBe(201);
    const id = opened.json<{ id: string }>().id;
    expect((await post(`/probe/tallies/${id}/add`, { amount: '1.00' })).statusCode).toBe(200);
    expect((await post(`/probe/tallies/${id}/add`, { amount: '2.00' })).statusCode).toBe(200);
    const unknown = '/probe/tallies/00000000-0000-4000-8000-000000000000/add';
    expect((await post(unknown, { amount: '1.00' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/probe/items?limit=0' })).statusCode).toBe(
      422,
    );
    expect((await t.app.inject({ method: 'GET', url: '/no-such-route-4711' })).statusCode).toBe(
      404,
    );
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    text = res.body;
  });
  afterAll(() => t.close());

  it('counts HTTP requests by method, route pattern and status', () => {
    expect(
      sample(text, 'http_requests_total', {
        method: 'POST',
        route: '/probe/tallies',
        status: '201',
      }),
    ).toBe(2);
    const add = { method: 'POST', route: '/probe/tallies/:id/add' };
    expect(sample(text, 'http_requests_total', { ...add, status: '200' })).toBe(2);
    expect(sample(text, 'http_requests_total', { ...add, status: '404' })).toBe(1);
    expect(
      sample(text, 'http_requests_total', { method: 'GET', route: '/probe/items', status: '422' }),
    ).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { ...add, status: '200' })).toBe(2);
  });

  it('labels requests that matched no route without their URL', () => {
    expect(
      sample(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBe(1);
    expect(text).not.toContain('no-such-route-4711');
    expect(text).not.toContain('00000000-0000-4000-8000-000000000000');
  });

  it('counts commands by type and outcome', () => {
    expect(text).toContain('# TYPE commands_total counter');
    expect(sample(text, 'commands_total', { command: 'OpenTally', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'commands_total', { command: 'OpenTally', outcome: 'replayed' })).toBe(1);
    expect(sample(text, 'commands_total', { command: 'AddToTally', outcome: 'ok' })).toBe(2);
    expect(
      sample(text, 'commands_total', { command: 'AddToTally', outcome: 'TALLY_NOT_FOUND' }),
    ).toBe(1);
  });

  it('measures event store appends', () => {
    expect(text).toContain('# TYPE event_store_append_duration_seconds histogram');
    // Four appends: the bootstrap admin key at start, then the probe's open (claim and event
    // together) and two additions.
    expect(sample(text, 'event_store_append_duration_seconds_count', {})).toBe(4);
  });

  it("counts the PostgreSQL store's group commit at scrape time (nothing on EventStoreDB)", () => {
    const batches = sample(text, 'event_store_group_commit_batches_total', {}) ?? 0;
    const commands = sample(text, 'event_store_group_commit_commands_total', {}) ?? 0;
    const fallbacks = sample(text, 'event_store_group_commit_fallbacks_total', {}) ?? 0;
    if (t.platform.store instanceof PostgresEventStore) {
      // The probe's open and its two additions went through the batcher (exact revisions).
      expect(commands).toBeGreaterThanOrEqual(3);
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(batches).toBeLessThanOrEqual(commands);
      expect(fallbacks).toBe(0);
    } else {
      expect([batches, commands, fallbacks]).toEqual([0, 0, 0]);
    }
  });

  it('reports the lag of each projector at scrape time (caught up: 0)', () => {
    expect(text).toContain('# TYPE projection_lag_seconds gauge');
    expect(sample(text, 'projection_lag_seconds', { projector: 'event_stats' })).toBe(0);
    expect(sample(text, 'projection_events_total', { projector: 'event_stats' })).toBeGreaterThan(
      0,
    );
  });
});
