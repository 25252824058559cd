/** /health and /metrics answer without a key and describe the platform. */
import { PostgresEventStore } from '@kob/event-store';
import { startTestApp, type TestApp } from '../support/test-app';

describe('GET /health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('reports database, migrations, event store and projectors', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'ok',
      db_ok: true,
      migrations_status: 'up_to_date',
      event_store: {
        adapter: t.platform.store.name,
        reachable: true,
        connection: 'connected',
        detail: null,
      },
      psp_provider: 'simulator',
      halted_projectors: [],
      // The test app connects as the service role, which cannot change the events table.
      database_role: { name: 'kobatela_service', can_change_events: false },
      event_horizon: { held_back: false, limit_ms: 60_000 },
    });
    expect(body.projections.map((p: { name: string }) => p.name)).toContain('event_stats');
    expect(body.event_store.latency_ms).toBeGreaterThanOrEqual(0);
    expect(body.event_store.head_position).toMatch(/^p1\./);
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('reports an event store it cannot reach as degraded, saying why', async () => {
    // The probe of a store whose pool is closed: the real adapter's answer, not a made-up one.
    const pool = t.tdb.newServicePool(1);
    await pool.end();
    const unreachable = new PostgresEventStore(pool);
    const store = t.platform.store;
    const probe = jest
      .spyOn(store, 'connection')
      .mockImplementation((ms) => unreachable.connection(ms));
    try {
      const body = (await t.app.inject({ method: 'GET', url: '/health' })).json();
      expect(body.status).toBe('degraded');
      expect(body.event_store).toMatchObject({
        adapter: t.platform.store.name,
        reachable: false,
        connection: 'unavailable',
        latency_ms: null,
        head_position: null,
      });
      expect(body.event_store.detail).toMatch(/pool/i);
    } finally {
      probe.mockRestore();
    }
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json().status).toBe('ok');
  });
});
