/**
 * A payee's daily limit around UTC midnight with spends appended out of clock order (the handler
 * reads the clock before the stream queue; another process's clock may lag): each day keeps its
 * own total, so a late spend of the day before never resets today's and today never spends
 * twice its limit.
 */
import { randomUUID } from 'node:crypto';
import { escrowDecider } from '@kob/domain';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedEscrow } from '../support/escrow-api-extra';
import { testMetadata } from '../mandates/mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

it('never lets one UTC day spend more than the daily limit, whatever order the clocks arrive in', async () => {
  const { id } = await fundedEscrow(api, { total: '100.00' });
  const allowed = await api.call('POST', '/spend/allowed', api.keys.support, {
    escrow_id: id,
    payee_ref: 'shop',
    label: 'Shop',
    daily_limit: '10.00',
  });
  expect(allowed.statusCode).toBe(201);
  const spend = (now: string) =>
    api.t.platform.commands
      .execute({
        streamId: `escrow-${id}`,
        decider: escrowDecider,
        command: {
          type: 'Spend',
          escrowId: id,
          paymentId: randomUUID(),
          payeeRef: 'shop',
          amount: '10.00',
          note: null,
          now,
        },
        metadata: testMetadata(new Date(now)),
      })
      .then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? 'error',
      );
  const day2a = new Date(Date.now() + 86_400_000);
  day2a.setUTCHours(0, 0, 0, 5);
  const day1 = new Date(day2a.getTime() - 10); // 23:59:59.995 of the day before
  const day2b = new Date(day2a.getTime() + 1000);
  // B (day 2) is appended first, then A (day 1, a lagging clock), then C (day 2 again).
  const outcomes = [
    await spend(day2a.toISOString()),
    await spend(day1.toISOString()),
    await spend(day2b.toISOString()),
  ];
  // Day 2 already spent its 10.00 with B: C must be refused.
  expect(outcomes).toEqual(['ok', 'ok', 'DAILY_LIMIT_REACHED']);
});
