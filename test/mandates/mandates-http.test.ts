/**
 * Usage mandates over HTTP (issue 6; API-RULES.md §1, §4, §6; KOBATELA-SPEC.md §2.8, §4.13):
 * create (own sender, admin any; validation order USER_NOT_FOUND → MERCHANT_NOT_FOUND →
 * CATEGORY_NOT_FOUND → 422 MANDATE_EXPIRES_IN_PAST → 409 ACTIVE_MANDATE_EXISTS), the slot handed
 * over in one append when its holder is past its expiry, reads (own for senders), the list and
 * its filters, `POST /mandates/cleanup` and the scheduler's `mandate-expiry` job (each with its
 * actor in the audit trail, each freeing the slot), and Idempotency-Key on create and cleanup.
 * Real PostgreSQL; catalogue entries are seeded on their streams.
 */
import { randomUUID } from 'node:crypto';
import { mandateExpiryJob, registerMandateJobs } from '../../apps/api/src/jobs';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  audit,
  caughtUp,
  createMandate,
  inHours,
  newCategory,
  newMerchant,
  newUser,
  pastDueMandate,
  prefixOf,
  slotEvents,
  streamEvents,
} from './mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const body = (senderId: string, beneficiaryId: string, over: Record<string, unknown> = {}) => ({
  sender_id: senderId,
  beneficiary_id: beneficiaryId,
  total_amount: '100.00',
  currency: 'USD',
  expires_at: inHours(24),
  ...over,
});

const errorOf = (res: { json(): any }) =>
  res.json().error as { code: string; message: string; details?: any };

describe('POST /mandates', () => {
  it('creates an ACTIVE mandate for the sender’s own user (201, money as strings)', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const category = await newCategory(api);
    const merchant = await newMerchant(api, category);
    const expiresAt = inHours(48);
    const res = await api.call(
      'POST',
      '/mandates',
      s.key,
      body(s.id, b.id, {
        total_amount: '250.5',
        allowed_category_id: category,
        allowed_merchant_id: merchant,
        expires_at: expiresAt,
      }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-event-position']).toBeDefined();
    const m = res.json();
    expect(m).toEqual({
      id: expect.any(String),
      sender_id: s.id,
      beneficiary_id: b.id,
      total_amount: '250.50',
      total_spent: '0.00',
      currency: 'USD',
      allowed_category_id: category,
      allowed_merchant_id: merchant,
      expires_at: expiresAt,
      status: 'ACTIVE',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await api.call('GET', `/mandates/${m.id}`, s.key)).json()).toEqual(m);
    // Read-your-writes: the list has it at once.
    const list = (await api.call('GET', `/mandates?sender_id=${s.id}`, api.keys.support)).json();
    expect(list).toEqual({ items: [m], total: 1, limit: 50, offset: 0 });
    expect(await audit(api, `mandate-${m.id}`)).toEqual([
      { type: 'mandate.created.v1', actor_label: prefixOf(s.key) },
    ]);
  });

  it('honours the currency scale (JPY 0, KWD 3) and refuses other amounts', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    expect(
      (await createMandate(api, s, b.id, { currency: 'JPY', total_amount: '500' })).total_amount,
    ).toBe('500');
    expect(
      (await createMandate(api, s, b.id, { currency: 'KWD', total_amount: '1.5' })).total_amount,
    ).toBe('1.500');
    // An expiry without an offset is UTC.
    expect(
      (await createMandate(api, s, b.id, { currency: 'EUR', expires_at: '2099-06-01T12:30:00' }))
        .expires_at,
    ).toBe('2099-06-01T12:30:00.000Z');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ total_amount: '1.001' }, 422, 'AMOUNT_PRECISION'],
      [{ total_amount: '0.00' }, 422, 'VALIDATION_ERROR'],
      [{ total_amount: '-5' }, 422, 'VALIDATION_ERROR'],
      [{ total_amount: 'ten' }, 422, 'VALIDATION_ERROR'],
      [{ currency: 'GBP' }, 422, 'VALIDATION_ERROR'],
      [{ currency: 'usd' }, 422, 'VALIDATION_ERROR'],
      [{ expires_at: 'tomorrow' }, 422, 'VALIDATION_ERROR'],
      [{ beneficiary_id: 'not-a-uuid' }, 422, 'VALIDATION_ERROR'],
      [{ extra: 1 }, 422, 'VALIDATION_ERROR'],
      [{ expires_at: inHours(-1) }, 422, 'MANDATE_EXPIRES_IN_PAST'],
    ];
    for (const [over, status, code] of cases) {
      const res = await api.call('POST', '/mandates', s.key, body(s.id, b.id, over));
      expect([JSON.stringify(over), res.statusCode, errorOf(res).code]).toEqual([
        JSON.stringify(over),
        status,
        code,
      ]);
    }
    const missing = await api.call('POST', '/mandates', s.key, {});
    expect(missing.statusCode).toBe(422);
    expect(Object.keys(errorOf(missing).details.fields)).toEqual(
      expect.arrayContaining([
        'sender_id',
        'beneficiary_id',
        'total_amount',
        'currency',
        'expires_at',
      ]),
    );
  });

  it('checks, in order: sender, beneficiary, merchant, category, expiry, slot', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const ghost = randomUUID();
    const post = (over: Record<string, unknown>, key = api.keys.admin) =>
      api.call('POST', '/mandates', key, body(s.id, b.id, over));
    const sender404 = await post({ sender_id: ghost, allowed_merchant_id: ghost });
    expect([sender404.statusCode, errorOf(sender404).code, errorOf(sender404).message]).toEqual([
      404,
      'USER_NOT_FOUND',
      'Sender user does not exist.',
    ]);
    const beneficiary404 = await post({ beneficiary_id: ghost, allowed_merchant_id: ghost });
    expect([
      beneficiary404.statusCode,
      errorOf(beneficiary404).code,
      errorOf(beneficiary404).message,
    ]).toEqual([404, 'USER_NOT_FOUND', 'Beneficiary user does not exist.']);
    const merchant404 = await post({
      allowed_merchant_id: ghost,
      allowed_category_id: ghost,
      expires_at: inHours(-1),
    });
    expect([merchant404.statusCode, errorOf(merchant404).code]).toEqual([
      404,
      'MERCHANT_NOT_FOUND',
    ]);
    const category404 = await post({ allowed_category_id: ghost, expires_at: inHours(-1) });
    expect([category404.statusCode, errorOf(category404).code]).toEqual([
      404,
      'CATEGORY_NOT_FOUND',
    ]);
    await createMandate(api, s, b.id);
    const past = await post({ expires_at: inHours(-1) });
    expect([past.statusCode, errorOf(past).code]).toEqual([422, 'MANDATE_EXPIRES_IN_PAST']);
    const taken = await post({}, s.key);
    expect([taken.statusCode, errorOf(taken).code]).toEqual([409, 'ACTIVE_MANDATE_EXISTS']);
    // Another currency, or the other direction, is another slot.
    await createMandate(api, s, b.id, { currency: 'EUR' });
    await createMandate(api, b, s.id);
  });

  it('lets a sender create only for its own user; admin for anyone; other scopes never', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const notOwner = await api.call('POST', '/mandates', b.key, body(s.id, b.id));
    expect([notOwner.statusCode, errorOf(notOwner).code]).toEqual([403, 'NOT_OWNER']);
    for (const key of [api.keys.support, api.keys.auditor]) {
      const res = await api.call('POST', '/mandates', key, body(s.id, b.id));
      expect([res.statusCode, errorOf(res).code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    }
    const keyless = (
      await api.call('POST', '/apikeys', api.keys.admin, { name: 'no-user', scope: 'sender' })
    ).json().key as string;
    const noUser = await api.call('POST', '/mandates', keyless, body(s.id, b.id));
    expect([noUser.statusCode, errorOf(noUser).code]).toEqual([403, 'KEY_HAS_NO_USER']);
    const byAdmin = await api.call('POST', '/mandates', api.keys.admin, body(s.id, b.id));
    expect(byAdmin.statusCode).toBe(201);
    expect(await audit(api, `mandate-${byAdmin.json().id}`)).toEqual([
      { type: 'mandate.created.v1', actor_label: prefixOf(api.keys.admin) },
    ]);
  });

  it('answers a retry with the first mandate and refuses the key with another body', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const headers = { 'idempotency-key': `create-${randomUUID()}` };
    const first = await api.call(
      'POST',
      '/mandates',
      s.key,
      body(s.id, b.id, { expires_at: '2099-01-01T00:00:00.000Z' }),
      headers,
    );
    expect(first.statusCode).toBe(201);
    const again = await api.call(
      'POST',
      '/mandates',
      s.key,
      body(s.id, b.id, { expires_at: '2099-01-01T00:00:00.000Z' }),
      headers,
    );
    expect([again.statusCode, again.json()]).toEqual([201, first.json()]);
    expect((await streamEvents(api, `mandate-${first.json().id}`)).map((e) => e.type)).toEqual([
      'mandate.created.v1',
    ]);
    const reused = await api.call(
      'POST',
      '/mandates',
      s.key,
      body(s.id, b.id, { total_amount: '5.00' }),
      headers,
    );
    expect([reused.statusCode, errorOf(reused).code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('replaces a holder past its expiry in the same append: holder EXPIRED (replaced), new one ACTIVE', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const old = await pastDueMandate(api, s.id, b.id);
    expect((await api.call('GET', `/mandates/${old}`, s.key)).json().status).toBe('ACTIVE');
    const created = await createMandate(api, s, b.id);
    expect(created.status).toBe('ACTIVE');
    const holder = await streamEvents(api, `mandate-${old}`);
    const fresh = await streamEvents(api, `mandate-${created.id}`);
    expect(holder.map((e) => e.type)).toEqual(['mandate.created.v1', 'mandate.expired.v1']);
    expect(holder[1]!.data).toMatchObject({ mandateId: old, reason: 'replaced' });
    // One transaction: the holder's expiry and the new mandate were appended together.
    expect(holder[1]!.tx).toBe(fresh[0]!.tx);
    const slot = await slotEvents(api, s.id, b.id);
    expect(slot.map((e) => [e.type, e.data.owner, e.tx === fresh[0]!.tx])).toEqual([
      ['reservation.claimed.v1', `mandate:${old}`, false],
      ['reservation.released.v1', `mandate:${old}`, true],
      ['reservation.claimed.v1', `mandate:${created.id}`, true],
    ]);
    expect((await api.call('GET', `/mandates/${old}`, s.key)).json()).toMatchObject({
      status: 'EXPIRED',
    });
    await caughtUp(api);
    const rows = (await api.call('GET', `/mandates?sender_id=${s.id}`, api.keys.auditor)).json()
      .items;
    expect(rows.map((r: any) => [r.id, r.status])).toEqual(
      expect.arrayContaining([
        [old, 'EXPIRED'],
        [created.id, 'ACTIVE'],
      ]),
    );
    expect(await audit(api, `mandate-${old}`)).toEqual([
      { type: 'mandate.created.v1', actor_label: 'system:test' },
      { type: 'mandate.expired.v1', actor_label: prefixOf(s.key) },
    ]);
    // The new holder is not past due: the slot is taken again.
    const taken = await api.call('POST', '/mandates', s.key, body(s.id, b.id));
    expect(errorOf(taken).code).toBe('ACTIVE_MANDATE_EXISTS');
  });

  it('creates exactly one of parallel duplicates for one slot; the rest 409 ACTIVE_MANDATE_EXISTS', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.call(
          'POST',
          '/mandates',
          s.key,
          body(s.id, b.id, { total_amount: `${i + 1}.00` }),
          i % 2 ? { 'idempotency-key': `dup-${i}` } : {},
        ),
      ),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const r of answers.filter((r) => r.statusCode === 409))
      expect(errorOf(r).code).toBe('ACTIVE_MANDATE_EXISTS');
    await caughtUp(api);
    const list = (
      await api.call('GET', `/mandates?sender_id=${s.id}&status=ACTIVE`, api.keys.support)
    ).json();
    expect(list.total).toBe(1);
  });
});

describe('GET /mandates', () => {
  it('shows a sender the mandates where it is sender or beneficiary, and refuses others', async () => {
    const [s, b, x] = [await newUser(api, 's'), await newUser(api, 'b'), await newUser(api, 'x')];
    const m = await createMandate(api, s, b.id);
    for (const key of [s.key, b.key, api.keys.support, api.keys.auditor, api.keys.admin]) {
      expect((await api.call('GET', `/mandates/${m.id}`, key)).json()).toEqual(m);
    }
    const foreign = await api.call('GET', `/mandates/${m.id}`, x.key);
    expect([foreign.statusCode, errorOf(foreign).code]).toEqual([403, 'NOT_OWNER']);
    const unknown = await api.call('GET', `/mandates/${randomUUID()}`, api.keys.support);
    expect([unknown.statusCode, errorOf(unknown).code]).toEqual([404, 'MANDATE_NOT_FOUND']);
    const bad = await api.call('GET', '/mandates/nope', api.keys.support);
    expect([bad.statusCode, errorOf(bad).code]).toEqual([404, 'MANDATE_NOT_FOUND']);
    expect((await api.call('GET', '/mandates', b.key)).json()).toMatchObject({
      total: 1,
      items: [m],
    });
    expect((await api.call('GET', '/mandates', x.key)).json()).toMatchObject({
      total: 0,
      items: [],
    });
    // A sender's filters narrow its own mandates, never widen them.
    expect((await api.call('GET', `/mandates?sender_id=${s.id}`, x.key)).json().total).toBe(0);
  });

  it('filters by sender_id, beneficiary_id and status, pages, and refuses bad filters', async () => {
    const [s, b, c] = [await newUser(api, 's'), await newUser(api, 'b'), await newUser(api, 'c')];
    const m1 = await createMandate(api, s, b.id);
    const m2 = await createMandate(api, s, c.id);
    const old = await pastDueMandate(api, s.id, s.id);
    await createMandate(api, s, s.id); // replaces `old`
    const get = async (q: string) =>
      (await api.call('GET', `/mandates?${q}`, api.keys.support)).json();
    expect((await get(`sender_id=${s.id}`)).total).toBe(4);
    expect(
      (await get(`sender_id=${s.id}&beneficiary_id=${c.id}`)).items.map((m: any) => m.id),
    ).toEqual([m2.id]);
    expect((await get(`beneficiary_id=${b.id}`)).items.map((m: any) => m.id)).toEqual([m1.id]);
    expect((await get(`sender_id=${s.id}&status=EXPIRED`)).items.map((m: any) => m.id)).toEqual([
      old,
    ]);
    const page = await get(`sender_id=${s.id}&limit=2&offset=1`);
    expect([page.items.length, page.total, page.limit, page.offset]).toEqual([2, 4, 2, 1]);
    for (const q of ['status=DONE', 'sender_id=nope', 'limit=201', 'limit=0']) {
      const res = await api.call('GET', `/mandates?${q}`, api.keys.support);
      expect([q, res.statusCode, errorOf(res).code]).toEqual([q, 422, 'VALIDATION_ERROR']);
    }
  });
});

describe('expiry: POST /mandates/cleanup and the mandate-expiry job', () => {
  it('cleanup (support, admin) expires due mandates with the caller as actor and frees their slots', async () => {
    // Drain what other tests left due, so the counts below are this test's.
    expect((await api.call('POST', '/mandates/cleanup', api.keys.support)).statusCode).toBe(202);
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const due1 = await pastDueMandate(api, s.id, b.id);
    const due2 = await pastDueMandate(api, s.id, b.id, 'EUR');
    const live = await createMandate(api, s, b.id, { currency: 'JPY', total_amount: '100' });
    for (const key of [s.key, api.keys.auditor]) {
      const res = await api.call('POST', '/mandates/cleanup', key);
      expect([res.statusCode, errorOf(res).code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    }
    const withBody = await api.call('POST', '/mandates/cleanup', api.keys.support, { all: true });
    expect([withBody.statusCode, errorOf(withBody).code]).toEqual([422, 'VALIDATION_ERROR']);
    const res = await api.call('POST', '/mandates/cleanup', api.keys.support);
    expect([res.statusCode, res.json()]).toEqual([202, { expired: 2 }]);
    for (const [id, currency] of [
      [due1, 'USD'],
      [due2, 'EUR'],
    ] as const) {
      expect((await api.call('GET', `/mandates/${id}`, s.key)).json().status).toBe('EXPIRED');
      const expiry = (await streamEvents(api, `mandate-${id}`))[1]!;
      expect(
        (await slotEvents(api, s.id, b.id, currency)).map((e) => [e.type, e.tx === expiry.tx]),
      ).toEqual([
        ['reservation.claimed.v1', false],
        ['reservation.released.v1', true],
      ]);
      expect((await streamEvents(api, `mandate-${id}`))[1]!.data.reason).toBe('cleanup');
      expect(await audit(api, `mandate-${id}`)).toEqual([
        { type: 'mandate.created.v1', actor_label: 'system:test' },
        { type: 'mandate.expired.v1', actor_label: prefixOf(api.keys.support) },
      ]);
    }
    expect((await api.call('GET', `/mandates/${live.id}`, s.key)).json().status).toBe('ACTIVE');
    // Nothing left to do: a second run expires nothing and appends nothing.
    expect((await api.call('POST', '/mandates/cleanup', api.keys.admin)).json()).toEqual({
      expired: 0,
    });
    expect((await streamEvents(api, `mandate-${due1}`)).length).toBe(2);
    // The slots are free: new mandates, no replacement needed.
    const next = await createMandate(api, s, b.id);
    expect((await streamEvents(api, `mandate-${next.id}`)).map((e) => e.type)).toEqual([
      'mandate.created.v1',
    ]);
    await createMandate(api, s, b.id, { currency: 'EUR' });
  });

  it('cleanup answers a retry with the same key with its first answer, expiring nothing new', async () => {
    await api.call('POST', '/mandates/cleanup', api.keys.support);
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const due = await pastDueMandate(api, s.id, b.id);
    const headers = { 'idempotency-key': `cleanup-${randomUUID()}` };
    const first = await api.call('POST', '/mandates/cleanup', api.keys.support, undefined, headers);
    expect([first.statusCode, first.json()]).toEqual([202, { expired: 1 }]);
    expect((await api.call('GET', `/mandates/${due}`, s.key)).json().status).toBe('EXPIRED');
    const later = await pastDueMandate(api, s.id, b.id, 'EUR');
    const again = await api.call('POST', '/mandates/cleanup', api.keys.support, undefined, headers);
    expect([again.statusCode, again.json()]).toEqual([202, { expired: 1 }]);
    expect((await api.call('GET', `/mandates/${later}`, s.key)).json().status).toBe('ACTIVE');
  });

  it('the scheduler job expires due mandates as system:scheduler and reports what it did', async () => {
    await api.call('POST', '/mandates/cleanup', api.keys.support);
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const due = await pastDueMandate(api, s.id, b.id);
    const live = await createMandate(api, s, b.id, { currency: 'EUR' });
    const job = mandateExpiryJob(api.t.platform);
    expect([job.name, job.intervalMs]).toEqual([
      'mandate-expiry',
      api.t.platform.config.schedulerMandateExpiryIntervalMs,
    ]);
    expect(await job.run({ now: new Date() })).toBe('mandates: 1 expired');
    await caughtUp(api);
    expect(await job.run({ now: new Date() })).toBe('mandates: none');
    expect((await streamEvents(api, `mandate-${due}`))[1]!.data.reason).toBe('scheduler');
    expect(await audit(api, `mandate-${due}`)).toEqual([
      { type: 'mandate.created.v1', actor_label: 'system:test' },
      { type: 'mandate.expired.v1', actor_label: 'system:scheduler' },
    ]);
    expect((await api.call('GET', `/mandates/${live.id}`, s.key)).json().status).toBe('ACTIVE');
    expect((await createMandate(api, s, b.id)).status).toBe('ACTIVE');
  });

  it('registerMandateJobs registers the job on the platform scheduler', () => {
    registerMandateJobs(api.t.platform);
    const job = api.t.platform.scheduler.status().jobs.find((j) => j.name === 'mandate-expiry');
    expect(job).toMatchObject({
      interval_ms: api.t.platform.config.schedulerMandateExpiryIntervalMs,
      runs: 0,
    });
  });
});
