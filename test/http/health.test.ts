/** /health and /metrics answer without a key and describe the platform. */
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
      event_store: { adapter: 'postgresql', reachable: true },
      psp_provider: 'simulator',
      halted_projectors: [],
      // The test app connects as the service role, which cannot change the events table.
      database_role: { name: 'kobatela_service', can_change_events: false },
      event_horizon: { held_back: false, limit_ms: 60_000 },
    });
    expect(body.projections.map((p: { name: string }) => p.name)).toContain('event_stats');
    expect(res.headers['x-request-id']).toBeTruthy();
  });
});
