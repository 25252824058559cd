/**
 * An `expires_at` past year 9999 once in UTC (`9999-12-31T23:59:59-14:00` is
 * `+010000-01-01T13:59:59Z`) is refused with a 422: accepted, it halted the mandates projector
 * (PostgreSQL cannot read that instant) and froze every list and job that reads it.
 */
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { caughtUp, newUser } from '../mandates/mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

it('a mandate expiring at +010000 (UTC) is refused or stored without halting the mandates projector', async () => {
  const u = await newUser(api, 'far');
  const b = await newUser(api, 'farb');
  const res = await api.call('POST', '/mandates', u.key, {
    sender_id: u.id,
    beneficiary_id: b.id,
    total_amount: '10.00',
    currency: 'USD',
    expires_at: '9999-12-31T23:59:59-14:00',
  });
  expect([res.statusCode, res.json().error?.code]).toEqual([422, 'VALIDATION_ERROR']);
  await caughtUp(api).catch(() => undefined);
  const health = (await api.call('GET', '/health', null)).json();
  const halted = (health.projections ?? []).filter(
    (p: { status: string }) => p.status === 'halted',
  );
  expect(halted).toEqual([]);
  expect(health.parked_events).toEqual({ total: 0, by_projector: {} });
  const list = await api.call('GET', `/mandates?sender_id=${u.id}`, api.keys.support);
  expect(list.statusCode).toBe(200);
  expect(list.json().total).toBe(res.statusCode === 201 ? 1 : 0);
});
