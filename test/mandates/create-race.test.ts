/**
 * Parallel mandate creates for one (sender, beneficiary, currency) slot, with and
 * without a past-due holder: exactly one 201, the rest 409 ACTIVE_MANDATE_EXISTS (§5), never a
 * 5xx or CONCURRENCY_CONFLICT.
 */
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { inHours, newUser, pastDueMandate } from '../mandates/mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

it.each([false, true])('12 parallel creates (past-due holder: %s)', async (withHolder) => {
  const s = await newUser(api, 's');
  const b = await newUser(api, 'b');
  if (withHolder) await pastDueMandate(api, s.id, b.id);
  const results = await Promise.all(
    Array.from({ length: 12 }, () =>
      api.call('POST', '/mandates', s.key, {
        sender_id: s.id,
        beneficiary_id: b.id,
        total_amount: '10.00',
        currency: 'USD',
        expires_at: inHours(24),
      }),
    ),
  );
  const outcomes = results
    .map((r) => (r.statusCode === 201 ? 201 : `${r.statusCode} ${r.json().error?.code}`))
    .sort();
  expect(outcomes).toEqual([201, ...Array(11).fill('409 ACTIVE_MANDATE_EXISTS')].sort());
});
