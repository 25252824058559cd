/**
 * Escrows over HTTP, first increment: creation (own client only, existing users, the GOV/ONG
 * rule for public escrows, money at the currency's scale, idempotency), reads with the party
 * rule, milestones (client only; currency, total and sequence rules; idempotency) and
 * mark-delivered (either party since FRONTEND-CONTRACT.md A3; only from FUNDED, which deposits
 * will reach in the next step).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from '../http/http-expect';

const ADMIN = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;
const DEADLINE = '2027-06-30T12:00:00Z';

describe('escrows over HTTP', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};

  const call = (
    method: 'GET' | 'POST',
    url: string,
    key: string | null | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    t = await startTestApp({
      env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN, CURRENCIES: 'USD:2,EUR:2,JPY:0,KWD:3' },
    });
    for (const name of ['client', 'provider', 'stranger', 'gov']) {
      const res = await call('POST', '/users', ADMIN, {
        username: name,
        email: `${name}@example.org`,
        ...(name === 'gov' ? { public_tag: 'GOV' } : {}),
      });
      ids[name] = res.json().id;
      const k = await call('POST', '/apikeys', ADMIN, {
        name,
        scope: 'sender',
        user_id: ids[name],
      });
      keys[name] = k.json().key;
    }
    keys.support = (
      await call('POST', '/apikeys', ADMIN, { name: 'support', scope: 'support' })
    ).json().key;
  });
  afterAll(() => t.close());

  const newEscrow = (
    over: Record<string, unknown> = {},
    key = keys.client!,
    headers: Record<string, string> = {},
  ) =>
    call(
      'POST',
      '/escrows',
      key,
      {
        client_id: ids.client,
        provider_id: ids.provider,
        amount_total: '500',
        currency: 'USD',
        release_conditions: {},
        deadline_at: DEADLINE,
        ...over,
      },
      headers,
    );

  it('creates a DRAFT escrow for the caller as client, with money at the currency scale', async () => {
    const res = await newEscrow({ release_conditions: { on_deadline: 'refund', note: 'kept' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-event-position']).toMatch(/^p1\./);
    expect(res.json()).toMatchObject({
      client_id: ids.client,
      provider_id: ids.provider,
      amount_total: '500.00',
      currency: 'USD',
      status: 'DRAFT',
      domain: 'private',
      release_conditions: { on_deadline: 'refund', note: 'kept' },
      release_conditions_json: { on_deadline: 'refund', note: 'kept' },
      deadline_at: '2027-06-30T12:00:00.000Z',
      deposited: '0.00',
    });
    const [event] = await t.platform.store.readStream(`escrow-${res.json().id}`);
    expect(event!.metadata.actor).toMatchObject({
      kind: 'api_key',
      scope: 'sender',
      userId: ids.client,
    });
    expect((await newEscrow({ currency: 'JPY', amount_total: '50000' })).json()).toMatchObject({
      amount_total: '50000',
    });
    expect((await newEscrow({ currency: 'KWD', amount_total: '1.5' })).json()).toMatchObject({
      amount_total: '1.500',
    });
  });

  it('refuses bad input and foreign or unknown parties', async () => {
    expectErrorEnvelope(await newEscrow({ amount_total: '10.001' }), 422, 'AMOUNT_PRECISION');
    expectErrorEnvelope(
      await newEscrow({ currency: 'JPY', amount_total: '1.5' }),
      422,
      'AMOUNT_PRECISION',
    );
    expectErrorEnvelope(await newEscrow({ amount_total: '0' }), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await newEscrow({ currency: 'GBP' }), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(
      await newEscrow({ release_conditions: { on_deadline: 'explode' } }),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(await newEscrow({ deadline_at: 'tomorrow' }), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await newEscrow({ client_id: ids.stranger }), 403, 'NOT_OWNER');
    expectErrorEnvelope(
      await newEscrow({ provider_id: '00000000-0000-4000-8000-000000000000' }),
      404,
      'USER_NOT_FOUND',
    );
    expectErrorEnvelope(await newEscrow({ domain: 'public' }), 403, 'PUBLIC_DOMAIN_FORBIDDEN');
    const gov = await newEscrow({ client_id: ids.gov, domain: 'aid' }, ADMIN);
    expect(gov.json()).toMatchObject({ domain: 'aid', client_id: ids.gov });
  });

  it('honours Idempotency-Key on create', async () => {
    const first = await newEscrow({}, keys.client, { 'idempotency-key': 'esc-1' });
    const again = await newEscrow({}, keys.client, { 'idempotency-key': 'esc-1' });
    expect(again.json()).toEqual(first.json());
    expectErrorEnvelope(
      await newEscrow({ amount_total: '501' }, keys.client, { 'idempotency-key': 'esc-1' }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('lets only parties (and support) read an escrow, and lists a sender only its own', async () => {
    const escrow = (await newEscrow()).json();
    expect((await call('GET', `/escrows/${escrow.id}`, keys.client)).json()).toMatchObject({
      id: escrow.id,
    });
    expect((await call('GET', `/escrows/${escrow.id}`, keys.provider)).statusCode).toBe(200);
    expect((await call('GET', `/escrows/${escrow.id}`, keys.support)).statusCode).toBe(200);
    expectErrorEnvelope(
      await call('GET', `/escrows/${escrow.id}`, keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await call('GET', '/escrows/00000000-0000-4000-8000-000000000000', keys.support),
      404,
      'ESCROW_NOT_FOUND',
    );
    expect((await call('GET', '/escrows', keys.stranger)).json()).toMatchObject({
      items: [],
      total: 0,
    });
    const mine = (await call('GET', '/escrows?status=DRAFT&limit=200', keys.provider)).json();
    expect(mine.total).toBeGreaterThan(0);
    for (const e of mine.items)
      expect(e.provider_id === ids.provider || e.client_id === ids.provider).toBe(true);
    const filtered = (await call('GET', `/escrows?client_id=${ids.gov}`, keys.support)).json();
    expect(filtered.items.map((e: { client_id: string }) => e.client_id)).toEqual([ids.gov]);
  });

  it('adds milestones for the client only, under the currency, total and sequence rules', async () => {
    const escrow = (await newEscrow({ amount_total: '300.00' })).json();
    const url = `/escrows/${escrow.id}/milestones`;
    const m1 = await call(
      'POST',
      url,
      keys.client,
      { label: 'Foundations', amount: '100', currency: 'USD', sequence_index: 1 },
      { 'idempotency-key': 'm-1' },
    );
    expect(m1.statusCode).toBe(201);
    expect(m1.json()).toMatchObject({
      escrow_id: escrow.id,
      amount: '100.00',
      status: 'WAITING',
      proof_kind: null, // no proof_kind: a kind-less milestone (D5), PHOTO before
      sequence_index: 1,
    });
    const before = (
      await sql<{
        n: string;
      }>`SELECT count(*)::text AS n FROM events WHERE stream_id = ${`escrow-${escrow.id}`}`.execute(
        t.platform.db,
      )
    ).rows[0]!.n;
    const replay = await call(
      'POST',
      url,
      keys.client,
      { label: 'Foundations', amount: '100', currency: 'USD', sequence_index: 1 },
      { 'idempotency-key': 'm-1' },
    );
    expect(replay.json()).toEqual(m1.json());
    const after = (
      await sql<{
        n: string;
      }>`SELECT count(*)::text AS n FROM events WHERE stream_id = ${`escrow-${escrow.id}`}`.execute(
        t.platform.db,
      )
    ).rows[0]!.n;
    expect(after).toBe(before);
    const geo = await call('POST', url, keys.client, {
      label: 'Walls',
      amount: '150.00',
      currency: 'USD',
      sequence_index: 2,
      proof_kind: 'INVOICE',
      geofence_lat: -4.3217,
      geofence_lng: 15.3125,
      geofence_radius_m: 200,
    });
    expect(geo.json()).toMatchObject({
      geofence_lat: -4.3217,
      geofence_lng: 15.3125,
      geofence_radius_m: 200,
      proof_kind: 'INVOICE',
    });
    expectErrorEnvelope(
      await call('POST', url, keys.client, {
        label: 'x',
        amount: '10',
        currency: 'EUR',
        sequence_index: 3,
      }),
      409,
      'MILESTONE_CURRENCY_MISMATCH',
    );
    expectErrorEnvelope(
      await call('POST', url, keys.client, {
        label: 'x',
        amount: '50.01',
        currency: 'USD',
        sequence_index: 3,
      }),
      409,
      'MILESTONE_TOTAL_EXCEEDED',
    );
    expectErrorEnvelope(
      await call('POST', url, keys.client, {
        label: 'x',
        amount: '1',
        currency: 'USD',
        sequence_index: 2,
      }),
      409,
      'MILESTONE_SEQUENCE_EXISTS',
    );
    expectErrorEnvelope(
      await call('POST', url, keys.client, {
        label: 'x',
        amount: '1',
        currency: 'USD',
        sequence_index: 4,
        geofence_lat: 1,
      }),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await call('POST', url, keys.client, {
        label: 'x',
        amount: '1',
        currency: 'USD',
        sequence_index: 4,
        geofence_lat: 91,
        geofence_lng: 0,
        geofence_radius_m: 5,
      }),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await call('POST', url, keys.provider, {
        label: 'x',
        amount: '1',
        currency: 'USD',
        sequence_index: 4,
      }),
      403,
      'NOT_ESCROW_CLIENT',
    );
    expectErrorEnvelope(
      await call('POST', url, keys.stranger, {
        label: 'x',
        amount: '1',
        currency: 'USD',
        sequence_index: 4,
      }),
      403,
      'NOT_ESCROW_PARTY',
    );
    expect(
      (
        await call('POST', url, keys.client, {
          label: 'Roof',
          amount: '50',
          currency: 'USD',
          sequence_index: 3,
        })
      ).statusCode,
    ).toBe(201);
    const list = (await call('GET', url, keys.provider)).json();
    expect(
      list.map((m: { sequence_index: number; amount: string }) => [m.sequence_index, m.amount]),
    ).toEqual([
      [1, '100.00'],
      [2, '150.00'],
      [3, '50.00'],
    ]);
    const one = await call('GET', `/escrows/milestones/${m1.json().id}`, keys.client);
    expect(one.json()).toEqual(m1.json());
    expectErrorEnvelope(
      await call('GET', `/escrows/milestones/${m1.json().id}`, keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await call('GET', '/escrows/milestones/00000000-0000-4000-8000-000000000000', keys.support),
      404,
      'MILESTONE_NOT_FOUND',
    );
  });

  it('lets only a party mark delivery, and only from FUNDED', async () => {
    const escrow = (await newEscrow()).json();
    const url = `/escrows/${escrow.id}/mark-delivered`;
    expectErrorEnvelope(await call('POST', url, keys.stranger, {}), 403, 'NOT_ESCROW_PARTY');
    expectErrorEnvelope(await call('POST', url, keys.client, {}), 409, 'INVALID_STATE_TRANSITION');
    const res = await call('POST', url, keys.provider, { note: 'done' });
    const error = expectErrorEnvelope(res, 409, 'INVALID_STATE_TRANSITION');
    expect(error.details).toMatchObject({ from: 'DRAFT', to: 'RELEASABLE' });
  });
});
