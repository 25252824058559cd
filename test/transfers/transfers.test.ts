/**
 * Restricted transfers over HTTP, on the real app and database (API-RULES.md §1, §4, §6;
 * KOBATELA-SPEC.md §2.10, §4.14): the allowlist (404 for unknown users, the old B8's 500),
 * certification levels, and transactions authorised by the sender's allowlist or the receiver's
 * certification. A refusal appends exactly one UNAUTHORIZED_TRANSFER_ATTEMPT alert and nothing
 * else; a replay of it raises none, another key raises another; it does not use up its key.
 * Idempotency-Key is required on transactions; the audit trail names the real actor.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { READ_PIN_EVENT } from '@kob/kernel';
import { onEventStoreDb, storedEventCount } from '../support/stored-events';

const tag = () => randomBytes(4).toString('hex');
const prefixOf = (key: string) => key.split('.')[0]!;

describe('restricted transfers', () => {
  let api: EscrowApi;

  beforeAll(async () => {
    api = await startEscrowApi();
  });
  afterAll(() => api.close());

  /** A fresh user (so each test's allowlist and certification start empty). */
  const user = async () => {
    const t = tag();
    const res = await api.call('POST', '/users', api.keys.admin, {
      username: `u-${t}`,
      email: `u-${t}@example.org`,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const transfer = (body: Record<string, unknown>, key: string | null = `tx-${tag()}`) =>
    api.call(
      'POST',
      '/transactions',
      api.keys.admin,
      body,
      key === null ? {} : { 'idempotency-key': key },
    );
  const eventCount = () => storedEventCount(api.t.platform);
  const alertsFor = async (senderId: string) => {
    const res = await api.call(
      'GET',
      '/alerts?type=UNAUTHORIZED_TRANSFER_ATTEMPT&limit=200',
      api.keys.support,
    );
    expect(res.statusCode).toBe(200);
    return (res.json().items as Array<Record<string, any>>).filter(
      (a) => a.actor_user_id === senderId,
    );
  };

  describe('allowlist', () => {
    it('adds once, lists, removes, then 404 ALLOWLIST_ENTRY_NOT_FOUND', async () => {
      const [owner, r1, r2] = await Promise.all([user(), user(), user()]);
      const add = (recipient: string) =>
        api.call('POST', '/allowlist', api.keys.admin, {
          owner_id: owner,
          recipient_id: recipient,
        });
      const first = await add(r1);
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({ status: 'added' });
      expect((await add(r1)).json()).toEqual({ status: 'exists' });
      expect((await add(r2)).json()).toEqual({ status: 'added' });
      const list = await api.call('GET', `/allowlist?owner_id=${owner}`, api.keys.auditor);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({
        items: [
          { owner_id: owner, recipient_id: r1, created_at: expect.any(String) },
          { owner_id: owner, recipient_id: r2, created_at: expect.any(String) },
        ],
        total: 2,
        limit: 50,
        offset: 0,
      });
      expect(
        (
          await api.call('GET', `/allowlist?owner_id=${owner}&limit=1&offset=1`, api.keys.support)
        ).json(),
      ).toMatchObject({ total: 2, items: [{ recipient_id: r2 }] });
      const removed = await api.call(
        'DELETE',
        `/allowlist?owner_id=${owner}&recipient_id=${r1}`,
        api.keys.admin,
      );
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toEqual({ status: 'removed' });
      expectErrorEnvelope(
        await api.call('DELETE', `/allowlist?owner_id=${owner}&recipient_id=${r1}`, api.keys.admin),
        404,
        'ALLOWLIST_ENTRY_NOT_FOUND',
      );
      expect(
        (await api.call('GET', `/allowlist?owner_id=${owner}`, api.keys.support)).json(),
      ).toMatchObject({ total: 1, items: [{ recipient_id: r2 }] });
      expect((await add(r1)).json()).toEqual({ status: 'added' });
    });

    it('refuses unknown users with 404 USER_NOT_FOUND (B8) and bad input with 422', async () => {
      const owner = await user();
      expectErrorEnvelope(
        await api.call('POST', '/allowlist', api.keys.admin, {
          owner_id: owner,
          recipient_id: randomUUID(),
        }),
        404,
        'USER_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('POST', '/allowlist', api.keys.admin, {
          owner_id: randomUUID(),
          recipient_id: owner,
        }),
        404,
        'USER_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('GET', `/allowlist?owner_id=${randomUUID()}`, api.keys.support),
        404,
        'USER_NOT_FOUND',
      );
      for (const body of [
        {},
        { owner_id: owner },
        { owner_id: owner, recipient_id: 7 },
        { owner_id: owner, recipient_id: owner },
      ]) {
        expectErrorEnvelope(
          await api.call('POST', '/allowlist', api.keys.admin, body),
          422,
          'VALIDATION_ERROR',
        );
      }
      expectErrorEnvelope(
        await api.call('GET', '/allowlist', api.keys.support),
        422,
        'VALIDATION_ERROR',
      );
      expectErrorEnvelope(
        await api.call('GET', '/allowlist?owner_id=abc', api.keys.support),
        422,
        'VALIDATION_ERROR',
      );
      expectErrorEnvelope(
        await api.call('DELETE', `/allowlist?owner_id=${owner}`, api.keys.admin),
        422,
        'VALIDATION_ERROR',
      );
      expectErrorEnvelope(
        await api.call(
          'DELETE',
          `/allowlist?owner_id=${owner}&recipient_id=${randomUUID()}`,
          api.keys.admin,
        ),
        404,
        'USER_NOT_FOUND',
      );
      const stranger = await user();
      expectErrorEnvelope(
        await api.call(
          'DELETE',
          `/allowlist?owner_id=${owner}&recipient_id=${stranger}`,
          api.keys.admin,
        ),
        404,
        'ALLOWLIST_ENTRY_NOT_FOUND',
      );
    });

    it('is admin-only for writes and closed to senders for reads', async () => {
      const [owner, r] = await Promise.all([user(), user()]);
      for (const key of [api.keys.support, api.keys.auditor, api.keys.client]) {
        expectErrorEnvelope(
          await api.call('POST', '/allowlist', key, { owner_id: owner, recipient_id: r }),
          403,
          'INSUFFICIENT_SCOPE',
        );
        expectErrorEnvelope(
          await api.call('DELETE', `/allowlist?owner_id=${owner}&recipient_id=${r}`, key),
          403,
          'INSUFFICIENT_SCOPE',
        );
      }
      expectErrorEnvelope(
        await api.call('GET', `/allowlist?owner_id=${owner}`, api.keys.client),
        403,
        'INSUFFICIENT_SCOPE',
      );
    });
  });

  describe('certification', () => {
    it('creates, updates, leaves an equal level unchanged, and reads it back', async () => {
      const u = await user();
      const certify = (level: string) =>
        api.call('POST', '/certified', api.keys.admin, { user_id: u, level });
      expectErrorEnvelope(
        await api.call('GET', `/certified/${u}`, api.keys.support),
        404,
        'CERTIFICATION_NOT_FOUND',
      );
      const created = await certify('basic');
      expect(created.statusCode).toBe(201);
      expect(created.json()).toEqual({ status: 'created' });
      const basic = (
        await api.call('GET', `/certified/${u.toUpperCase()}`, api.keys.auditor)
      ).json();
      expect(basic).toEqual({ user_id: u, level: 'BASIC', certified_at: expect.any(String) });
      expect((await certify('BASIC')).json()).toEqual({ status: 'unchanged' });
      expect((await api.call('GET', `/certified/${u}`, api.keys.auditor)).json()).toEqual(basic);
      expect((await certify('Gold')).json()).toEqual({ status: 'updated' });
      expect((await api.call('GET', `/certified/${u}`, api.keys.support)).json()).toMatchObject({
        level: 'GOLD',
      });
    });

    it('refuses unknown users (404), unknown levels (422) and non-uuid ids (404)', async () => {
      expectErrorEnvelope(
        await api.call('POST', '/certified', api.keys.admin, {
          user_id: randomUUID(),
          level: 'GOLD',
        }),
        404,
        'USER_NOT_FOUND',
      );
      const u = await user();
      for (const body of [
        { user_id: u, level: 'PLATINUM' },
        { user_id: u },
        { level: 'GOLD' },
        { user_id: u, level: 3 },
      ]) {
        expectErrorEnvelope(
          await api.call('POST', '/certified', api.keys.admin, body),
          422,
          'VALIDATION_ERROR',
        );
      }
      expectErrorEnvelope(
        await api.call('GET', '/certified/not-a-uuid', api.keys.support),
        404,
        'CERTIFICATION_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('POST', '/certified', api.keys.support, { user_id: u, level: 'GOLD' }),
        403,
        'INSUFFICIENT_SCOPE',
      );
    });
  });

  describe('transactions', () => {
    it('completes a transfer to an allowlisted receiver, replays it by key, reads and lists it', async () => {
      const [sender, receiver] = await Promise.all([user(), user()]);
      await api.call('POST', '/allowlist', api.keys.admin, {
        owner_id: sender,
        recipient_id: receiver,
      });
      const key = `tx-${tag()}`;
      const body = { sender_id: sender, receiver_id: receiver, amount: '12.5', currency: 'EUR' };
      const res = await transfer(body, key);
      expect(res.statusCode).toBe(201);
      const tx = res.json();
      expect(tx).toEqual({
        id: expect.any(String),
        sender_id: sender,
        receiver_id: receiver,
        amount: '12.50',
        currency: 'EUR',
        status: 'COMPLETED',
        created_at: expect.any(String),
        updated_at: tx.created_at,
      });
      expect(res.headers['x-event-position']).toEqual(expect.any(String));
      const before = await eventCount();
      const replay = await transfer(body, key);
      expect(replay.statusCode).toBe(201);
      expect(replay.json()).toEqual(tx);
      expect(await eventCount()).toBe(before);
      expectErrorEnvelope(
        await transfer({ ...body, amount: '13.00' }, key),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
      // The replay finds the first answer even after the allowlist entry is gone.
      await api.call(
        'DELETE',
        `/allowlist?owner_id=${sender}&recipient_id=${receiver}`,
        api.keys.admin,
      );
      expect((await transfer(body, key)).json()).toEqual(tx);
      expect((await api.call('GET', `/transactions/${tx.id}`, api.keys.auditor)).json()).toEqual(
        tx,
      );
      const list = await api.call('GET', `/transactions?sender_id=${sender}`, api.keys.support);
      expect(list.json()).toEqual({ items: [tx], total: 1, limit: 50, offset: 0 });
      expect(
        (await api.call('GET', `/transactions?receiver_id=${receiver}`, api.keys.support)).json()
          .items,
      ).toEqual([tx]);
      expect(
        (await api.call('GET', `/transactions?receiver_id=${sender}`, api.keys.support)).json()
          .total,
      ).toBe(0);
      expect(
        (await api.call('GET', '/transactions?limit=1', api.keys.support)).json(),
      ).toMatchObject({ limit: 1, items: [expect.any(Object)] });
    });

    it('authorises a certified receiver at any level', async () => {
      const [sender, receiver] = await Promise.all([user(), user()]);
      await api.call('POST', '/certified', api.keys.admin, { user_id: receiver, level: 'BASIC' });
      const res = await transfer({
        sender_id: sender,
        receiver_id: receiver,
        amount: '100',
        currency: 'JPY',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ amount: '100', currency: 'JPY', status: 'COMPLETED' });
      const usd = await transfer({ sender_id: sender, receiver_id: receiver, amount: '1' });
      expect(usd.json()).toMatchObject({ amount: '1.00', currency: 'USD' });
    });

    it('refuses an unauthorised transfer: 403, exactly one alert, nothing else appended', async () => {
      const [sender, receiver] = await Promise.all([user(), user()]);
      const key = `tx-${tag()}`;
      const body = { sender_id: sender, receiver_id: receiver, amount: '5.00', currency: 'USD' };
      const before = await eventCount();
      expectErrorEnvelope(await transfer(body, key), 403, 'UNAUTHORIZED_TRANSFER');
      expect(await eventCount()).toBe(before + 1);
      const alerts = await alertsFor(sender);
      expect(alerts).toEqual([
        {
          id: expect.any(String),
          type: 'UNAUTHORIZED_TRANSFER_ATTEMPT',
          message: 'Receiver is not allowlisted or certified.',
          actor_user_id: sender,
          actor: prefixOf(api.keys.admin),
          payload: {
            sender_id: sender,
            attempted_receiver_id: receiver,
            amount: '5.00',
            currency: 'USD',
          },
          created_at: expect.any(String),
        },
      ]);
      const audit = await api.call(
        'GET',
        `/audit/events?stream=alert-${alerts[0]!.id}`,
        api.keys.support,
      );
      expect(audit.json().items).toEqual([
        expect.objectContaining({ type: 'alert.raised.v1', actor_label: prefixOf(api.keys.admin) }),
      ]);

      // The same request again: the same refusal, no second alert, nothing appended.
      expectErrorEnvelope(await transfer(body, key), 403, 'UNAUTHORIZED_TRANSFER');
      expect(await eventCount()).toBe(before + 1);
      expect(await alertsFor(sender)).toHaveLength(1);

      // Another key is another attempt: a second alert.
      expectErrorEnvelope(await transfer(body), 403, 'UNAUTHORIZED_TRANSFER');
      expect(await alertsFor(sender)).toHaveLength(2);
      expect(
        (await api.call('GET', `/transactions?sender_id=${sender}`, api.keys.support)).json().total,
      ).toBe(0);

      // The refusal did not use up its key: once allowlisted, the same key succeeds.
      await api.call('POST', '/allowlist', api.keys.admin, {
        owner_id: sender,
        recipient_id: receiver,
      });
      const ok = await transfer(body, key);
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toMatchObject({
        sender_id: sender,
        receiver_id: receiver,
        amount: '5.00',
        status: 'COMPLETED',
      });
      expect(await alertsFor(sender)).toHaveLength(2);
    });

    it('allowlisting is directional: the receiver’s own allowlist does not authorise', async () => {
      const [sender, receiver] = await Promise.all([user(), user()]);
      await api.call('POST', '/allowlist', api.keys.admin, {
        owner_id: receiver,
        recipient_id: sender,
      });
      expectErrorEnvelope(
        await transfer({ sender_id: sender, receiver_id: receiver, amount: '1.00' }),
        403,
        'UNAUTHORIZED_TRANSFER',
      );
    });

    it('requires Idempotency-Key (400) and refuses bad input with 4xx', async () => {
      const [sender, receiver] = await Promise.all([user(), user()]);
      await api.call('POST', '/certified', api.keys.admin, { user_id: receiver, level: 'GOLD' });
      const body = { sender_id: sender, receiver_id: receiver, amount: '1.00', currency: 'USD' };
      expectErrorEnvelope(await transfer(body, null), 400, 'IDEMPOTENCY_KEY_REQUIRED');
      expectErrorEnvelope(await transfer(body, '   '), 400, 'IDEMPOTENCY_KEY_REQUIRED');
      expectErrorEnvelope(await transfer({ ...body, amount: '1.001' }), 422, 'AMOUNT_PRECISION');
      expectErrorEnvelope(
        await transfer({ ...body, amount: '1.0', currency: 'JPY' }),
        422,
        'AMOUNT_PRECISION',
      );
      for (const bad of [
        { ...body, amount: '0' },
        { ...body, amount: '-3.00' },
        { ...body, amount: 'ten' },
        { ...body, amount: null },
        { ...body, currency: 'GBP' },
        { ...body, currency: 'usd' },
        { ...body, sender_id: 'x' },
        { ...body, receiver_id: sender, sender_id: sender },
        { receiver_id: receiver, amount: '1.00' },
      ]) {
        expectErrorEnvelope(await transfer(bad), 422, 'VALIDATION_ERROR');
      }
      expectErrorEnvelope(
        await transfer({ ...body, sender_id: randomUUID() }),
        404,
        'USER_NOT_FOUND',
      );
      expectErrorEnvelope(
        await transfer({ ...body, receiver_id: randomUUID() }),
        404,
        'USER_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('POST', '/transactions', api.keys.support, body, { 'idempotency-key': 'k' }),
        403,
        'INSUFFICIENT_SCOPE',
      );
    });

    it('answers 404 TRANSACTION_NOT_FOUND for unknown and malformed ids', async () => {
      expectErrorEnvelope(
        await api.call('GET', `/transactions/${randomUUID()}`, api.keys.support),
        404,
        'TRANSACTION_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('GET', '/transactions/42', api.keys.support),
        404,
        'TRANSACTION_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('GET', `/transactions?sender_id=nope`, api.keys.support),
        422,
        'VALIDATION_ERROR',
      );
    });
  });

  it('names the real actor of each mutation in the audit trail, and reads write nothing', async () => {
    const [owner, recipient] = await Promise.all([user(), user()]);
    await api.call('POST', '/allowlist', api.keys.admin, {
      owner_id: owner,
      recipient_id: recipient,
    });
    await api.call('POST', '/certified', api.keys.admin, { user_id: recipient, level: 'GOLD' });
    const tx = (
      await transfer({ sender_id: owner, receiver_id: recipient, amount: '2.00' })
    ).json();
    await api.call(
      'DELETE',
      `/allowlist?owner_id=${owner}&recipient_id=${recipient}`,
      api.keys.admin,
    );
    const admin = prefixOf(api.keys.admin);
    const stream = async (id: string) =>
      (
        (await api.call('GET', `/audit/events?stream=${id}`, api.keys.support)).json()
          .items as Array<Record<string, any>>
      ).map((e) => [e.type, e.actor_label]);
    // On EventStoreDB the transfer pinned the facts it read (README, EventStoreDB adapter): the
    // pin is in their streams' trail too, naming the transfer's actor.
    const pin = onEventStoreDb(api.t.platform) ? [[READ_PIN_EVENT, admin]] : [];
    expect(await stream(`allowlist-${owner}`)).toEqual([
      ['allowlist.recipient_added.v1', admin],
      ...pin,
      ['allowlist.recipient_removed.v1', admin],
    ]);
    expect(await stream(`certification-${recipient}`)).toEqual([
      ['certification.updated.v1', admin],
      ...pin,
    ]);
    expect(await stream(`transaction-${tx.id}`)).toEqual([['transaction.completed.v1', admin]]);
    const before = await eventCount();
    await api.call('GET', `/transactions/${tx.id}`, api.keys.auditor);
    await api.call('GET', '/transactions', api.keys.auditor);
    await api.call('GET', `/certified/${recipient}`, api.keys.auditor);
    await api.call('GET', `/allowlist?owner_id=${owner}`, api.keys.auditor);
    expect(await eventCount()).toBe(before);
  });
});
