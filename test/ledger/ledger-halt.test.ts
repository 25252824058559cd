/**
 * A broken ledger invariant halts the ledger projector, loudly and alone (a database of its own:
 * the halt is sticky). A crafted payment above the escrow's held balance makes the projector
 * throw; its batch rolls back (no entry, balances untouched, checkpoint before the event), the
 * read-your-writes wait gives up instead of hanging, /health turns `degraded` and names the
 * projector and the broken invariant, and every other projector keeps applying events, this one
 * and later ones. The halt raises one LEDGER_INVARIANT_BROKEN alert (`GET /alerts`), by
 * `system:projector`, naming the broken invariant.
 */
import { randomBytes } from 'node:crypto';
import { type NewEvent, type Position, comparePositions } from '@kob/event-store';
import { EscrowEventBuilder } from '../support/escrow-event-builder';
import { until } from '../http/http-expect';
import { startTestApp, type TestApp } from '../support/test-app';
import { storedEvents } from '../support/stored-events';

const ADMIN = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;
const PROJECTION_WAIT_MS = 10_000;

describe('a broken ledger invariant', () => {
  let t: TestApp;
  let support: string;
  beforeAll(async () => {
    t = await startTestApp({
      env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN, CURRENCIES: 'USD:2,EUR:2,JPY:0,KWD:3' },
    });
    // Issued before the halt (a key issued after it works too: see the last test).
    const key = await t.app.inject({
      method: 'POST',
      url: '/apikeys',
      headers: { 'x-api-key': ADMIN, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'support', scope: 'support' }),
    });
    support = key.json().key;
  });
  afterAll(() => t.close());

  const appendAll = (b: EscrowEventBuilder, events: NewEvent[], revision: bigint | 'no_stream') =>
    t.platform.store.appendToStream(b.streamId, events, { expectedRevision: revision });

  /** Whether every projector but the ledger has applied `position`. */
  async function othersPassed(position: Position): Promise<boolean> {
    const statuses = await t.platform.projections.status();
    const others = statuses.filter((s) => s.name !== 'ledger');
    return (
      others.length > 0 &&
      others.every((s) => s.status === 'running' && comparePositions(s.checkpoint, position) >= 0)
    );
  }

  it('halts the ledger projector only, and /health says so', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const good = await appendAll(
      b,
      [b.created('10.00'), b.depositConfirmed('10.00', { heldAfter: '10.00' })],
      'no_stream',
    );
    expect(await t.platform.projections.waitFor(good.position, PROJECTION_WAIT_MS)).toBe(true);
    const healthy = (await t.app.inject({ method: 'GET', url: '/health' })).json();
    expect(healthy).toMatchObject({ status: 'ok', halted_projectors: [] });

    // 15.00 out of an escrow that holds 10.00: the decider never emits it; the ledger refuses it.
    const bad = b.initiated({ kind: 'payout', amount: '15.00', heldAfter: '0.00' });
    const broken = await appendAll(b, [bad.event], good.nextRevision);
    // The wait ends as soon as a projector halts: a caller would get X-Projection-Pending.
    expect(await t.platform.projections.waitFor(broken.position, PROJECTION_WAIT_MS)).toBe(false);

    const health = (await t.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.status).toBe('degraded');
    expect(health.halted_projectors).toEqual(['ledger']);
    const ledger = health.projections.find((p: { name: string }) => p.name === 'ledger');
    expect(ledger.status).toBe('halted');
    expect(ledger.halted_reason).toBe(
      `AssertionError: ledger invariant "no negative balance" broken by payment.initiated.v1 ` +
        `${bad.event.id} on escrow:${b.escrowId}:held:USD: the balance would be -5.00`,
    );

    // Nothing of the bad batch stayed: no entry, the held balance as it was, checkpoint before.
    const entry = await t.platform.db
      .selectFrom('ledger_entries')
      .select('event_id')
      .where('event_id', '=', bad.event.id)
      .executeTakeFirst();
    expect(entry).toBeUndefined();
    const held = await t.app.inject({
      method: 'GET',
      url: `/ledger/accounts/escrow:${b.escrowId}:held:USD`,
      headers: { 'x-api-key': support },
    });
    expect(held.json()).toMatchObject({ balance: '10.00', entries: { total: 1 } });
    const status = (await t.platform.projections.status()).find((s) => s.name === 'ledger')!;
    expect(comparePositions(status.checkpoint, broken.position)).toBeLessThan(0);

    // The other projectors applied the bad event and go on with new ones.
    await until('the other projectors to pass the bad event', () => othersPassed(broken.position));
    const payment = await t.platform.db
      .selectFrom('payments')
      .select('status')
      .where('id', '=', bad.payment.paymentId)
      .executeTakeFirst();
    expect(payment).toEqual({ status: 'PENDING' });
    const later = new EscrowEventBuilder('USD', 2);
    const after = await appendAll(later, [later.created('1.00')], 'no_stream');
    await until('the other projectors to pass a later event', () => othersPassed(after.position));
    const escrow = await t.platform.db
      .selectFrom('escrows')
      .select('id')
      .where('id', '=', later.escrowId)
      .executeTakeFirst();
    expect(escrow).toEqual({ id: later.escrowId });
    // The halt is sticky: still halted, still before the bad event.
    const still = (await t.platform.projections.status()).find((s) => s.name === 'ledger')!;
    expect(still).toMatchObject({ status: 'halted', checkpoint: status.checkpoint });

    // One alert, raised by the projector's halt, readable by support.
    const alerts = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/alerts?type=LEDGER_INVARIANT_BROKEN',
          headers: { 'x-api-key': support },
        })
      ).json();
    await until('the halt to raise its alert', async () => (await alerts()).total === 1);
    const [alert] = (await alerts()).items;
    expect(alert).toMatchObject({
      type: 'LEDGER_INVARIANT_BROKEN',
      actor: 'system:projector',
      actor_user_id: null,
      payload: { projector: 'ledger', reason: ledger.halted_reason },
    });
    const raised = (await storedEvents(t.platform))
      .filter((e) => e.type === 'alert.raised.v1')
      .map((e) => ({ stream_id: e.streamId }));
    expect(raised).toEqual([{ stream_id: `alert-${alert.id}` }]);
  });

  it('holds only the answers of commands on escrow streams while it is halted (issue 12)', async () => {
    const call = (
      method: 'POST' | 'GET',
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) =>
      t.app.inject({
        method,
        url,
        headers: {
          'x-api-key': ADMIN,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
    expect((await t.platform.projections.status()).find((s) => s.name === 'ledger')!.status).toBe(
      'halted',
    );
    // A user and a key: the ledger reads neither; answered without X-Projection-Pending, and the key works.
    const tag = randomBytes(4).toString('hex');
    const user = await call('POST', '/users', {
      username: `after-halt-${tag}`,
      email: `after-halt-${tag}@example.org`,
    });
    expect(user.statusCode).toBe(201);
    expect(user.headers['x-projection-pending']).toBeUndefined();
    const key = await call('POST', '/apikeys', {
      name: 'after halt',
      scope: 'sender',
      user_id: user.json().id,
    });
    expect(key.headers['x-projection-pending']).toBeUndefined();
    // An escrow: the ledger (halted) reads it, so its answer says the read models are behind.
    const escrow = await call('POST', '/escrows', {
      client_id: user.json().id,
      provider_id: user.json().id,
      amount_total: '5.00',
      currency: 'USD',
      release_conditions: {},
      deadline_at: '2099-01-01T00:00:00Z',
    });
    expect(escrow.headers['x-projection-pending']).toBe('true');
  });
});
