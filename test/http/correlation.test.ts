/**
 * One id follows a request everywhere: the `X-Request-Id` it answers with is the `reqId` of its
 * log lines and the `correlationId` (and `causationId`) of every event it appends, next to the
 * actor and a fresh `commandId`; this is how support and auditors tie a log line to a change.
 */
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { storedEvents } from '../support/stored-events';

describe('request id as correlation id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  it('ties the answer, the logs and the events together', async () => {
    const requestId = 'support-ticket-4711.a';
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        'idempotency-key': 'corr-1',
      },
      payload: { currency: 'EUR' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-request-id']).toBe(requestId);
    const rows = (await storedEvents(t.platform))
      .filter((e) => e.metadata.correlationId === requestId)
      .map((e) => ({ stream_id: e.streamId, metadata: e.metadata }));
    // The tally's opening event and its idem- reservation, appended together.
    expect(rows.map((r) => r.stream_id.split('-')[0]).sort()).toEqual(['idem', 'tally']);
    for (const r of rows) {
      expect(r.metadata).toMatchObject({
        correlationId: requestId,
        causationId: requestId,
        actor: { kind: 'system', name: 'system:test' },
        idempotencyKey: 'corr-1',
      });
      expect(r.metadata.commandId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.metadata.commandId).not.toBe(requestId);
    }
    const lines = t.logs.map((l) => JSON.parse(l) as { reqId?: string; msg?: string });
    const ours = lines.filter((l) => l.reqId === requestId).map((l) => l.msg);
    expect(ours).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });
});
