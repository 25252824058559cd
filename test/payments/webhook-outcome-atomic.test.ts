/**
 * A webhook that changes an escrow records its outcome in the same transaction (issue 12): before,
 * the outcome was appended after the effect, so a crash in between left the webhook unprocessed
 * and its next delivery found the escrow already moved and stored it as "ignored". Now the
 * `psp.webhook_processed.v1` (applied) commits with the escrow's events or not at all (on
 * EventStoreDB: right after them, as the consequence their first event names).
 */
import { randomUUID } from 'node:crypto';
import { comparePositions } from '@kob/event-store';
import { escrowDecider, pspWebhookDecider } from '@kob/domain';
import { createPaymentServices } from '../../apps/api/src/payments/shared';
import { webhookStreamId } from '../../apps/api/src/payments/shared';
import { CommandRunner, systemMetadata } from '@kob/platform';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { onEventStoreDb, storedEvents } from '../support/stored-events';

let api: EscrowApi;

beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

it('commits an applied webhook outcome with the escrow events it caused', async () => {
  const psp = api.t.platform.psp;
  const id = await api.escrow({ amount_total: '10.00' });
  psp.collections = 'webhook';
  let d;
  try {
    const res = await api.deposit(id, '10.00');
    // The whole answer on failure (a flaky run once answered without a deposit).
    expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status: 200 });
    d = res.json().deposit;
  } finally {
    psp.collections = 'sync';
  }
  const eventId = `evt-${randomUUID()}`;
  const res = await api.webhook({
    event_id: eventId,
    type: 'deposit.confirmed',
    psp_ref: d.psp_ref,
    amount: '10.00',
    currency: 'USD',
  });
  expect(res.json()).toMatchObject({ outcome: 'applied' });
  const streams = [`escrow-${id}`, webhookStreamId('default', eventId)];
  const rows = (await storedEvents(api.t.platform)).filter((e) => streams.includes(e.streamId));
  const confirmed = rows.find((r) => r.type === 'escrow.deposit_confirmed.v1')!;
  const processed = rows.filter((r) => r.type === 'psp.webhook_processed.v1');
  expect(processed).toHaveLength(1);
  if (onEventStoreDb(api.t.platform)) {
    // No multi-stream transaction: the outcome follows the escrow's events, named in the first
    // of them as a consequence (the recovery job writes it if the writer died in between).
    expect(comparePositions(confirmed.position, processed[0]!.position)).toBeLessThan(0);
    const first = rows.find(
      (r) => r.streamId === `escrow-${id}` && r.position.tx === confirmed.position.tx,
    )!;
    expect(first.metadata.consequences).toEqual([
      expect.objectContaining({ streamId: processed[0]!.streamId }),
    ]);
  } else {
    expect(processed[0]!.position.tx).toBe(confirmed.position.tx);
  }
  // A second delivery is a duplicate of the applied one.
  const again = await api.webhook({
    event_id: eventId,
    type: 'deposit.confirmed',
    psp_ref: d.psp_ref,
    amount: '10.00',
    currency: 'USD',
  });
  expect(again.json()).toMatchObject({ outcome: 'applied', duplicate: true });
});

it('a second replica applying the same webhook on a stale escrow cache decides again and finds it applied (review finding: it answered 500)', async () => {
  const platform = api.t.platform;
  const psp = platform.psp;
  const id = await api.escrow({ amount_total: '10.00' });
  psp.collections = 'webhook';
  let d;
  try {
    const res = await api.deposit(id, '10.00');
    // The whole answer on failure (a flaky run once answered without a deposit).
    expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status: 200 });
    d = res.json().deposit;
  } finally {
    psp.collections = 'sync';
  }
  // Replica B: its own runner (own cache), which last saw the escrow with the deposit PENDING.
  const runnerB = new CommandRunner(platform.store);
  const platformB = { ...platform, commands: runnerB } as typeof platform;
  const servicesB = createPaymentServices(platformB);
  await runnerB.read(`escrow-${id}`, escrowDecider);
  const eventId = `evt-${randomUUID()}`;
  const body = {
    event_id: eventId,
    type: 'deposit.confirmed',
    psp_ref: d.psp_ref,
    amount: '10.00',
    currency: 'USD',
  };
  // Replica A receives and applies it.
  expect((await api.webhook(body)).json()).toMatchObject({ outcome: 'applied' });
  // Replica B had received the same delivery (a PSP retry) before A recorded the outcome, and now processes it.
  const streamId = webhookStreamId('default', eventId);
  const { state } = await runnerB.read(streamId, pspWebhookDecider);
  const out = await servicesB.webhooks.process(
    streamId,
    { ...state, outcome: null, processedAt: null },
    systemMetadata('psp:webhook', new Date()),
  );
  expect(out.state.outcome).toBe('applied');
});
