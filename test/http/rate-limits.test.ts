/**
 * Rate limits (issue 12 point 6), at small values so each budget is spent in a few requests:
 * per API key (charged only once the key is verified, keyed by its prefix), per client address,
 * on failed authentication (refused before any key lookup once spent) and on the PSP webhook.
 * Every refusal is 429 RATE_LIMITED in the envelope with Retry-After and X-Request-Id; /health
 * and /metrics are never limited; a spent budget comes back when its minute ends.
 */
import type { Response } from 'light-my-request';
import { signWebhook } from '@kob/psp';
import { Authenticator } from '../../apps/api/src/auth/authenticator';
import { newAdminKey } from '../support/escrow-api';
import { TEST_WEBHOOK_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';

const HIGH = '100000';

async function start(env: Record<string, string>): Promise<{ t: TestApp; admin: string }> {
  const admin = newAdminKey();
  const t = await startTestApp({
    env: {
      BOOTSTRAP_ADMIN_API_KEY: admin,
      RATE_LIMIT_PER_KEY_PER_MINUTE: HIGH,
      RATE_LIMIT_PER_IP_PER_MINUTE: HIGH,
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: HIGH,
      RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE: HIGH,
      ...env,
    },
  });
  return { t, admin };
}

const get = (
  t: TestApp,
  url: string,
  key?: string,
  remoteAddress = '127.0.0.1',
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method: 'GET',
    url,
    remoteAddress,
    headers: { ...(key ? { 'x-api-key': key } : {}), ...headers },
  });

async function newKey(t: TestApp, admin: string, name: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/apikeys',
    headers: { 'x-api-key': admin, 'content-type': 'application/json' },
    payload: JSON.stringify({ name, scope: 'support' }),
  });
  expect(res.statusCode).toBe(201);
  return res.json().key as string;
}

/** A 429 in the envelope, with Retry-After within the window and the request id; its details. */
function expectLimited(res: Response, limit: string, perMinute: number): void {
  const error = expectErrorEnvelope(res, 429, 'RATE_LIMITED');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(error.details).toEqual({
    limit,
    limit_per_minute: perMinute,
    retry_after_seconds: retryAfter,
  });
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['cache-control']).toBe('no-store');
}

async function times(n: number, call: () => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await call()).statusCode);
  return statuses;
}

describe('per API key', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await start({ RATE_LIMIT_PER_KEY_PER_MINUTE: '5' }));
  });
  afterAll(() => t.close());

  it('refuses a key its sixth request in a minute, and no other key', async () => {
    const a = await newKey(t, admin, 'a');
    const b = await newKey(t, admin, 'b');
    expect(await times(5, () => get(t, '/escrows', a))).toEqual([200, 200, 200, 200, 200]);
    const refused = await get(t, '/escrows', a, '127.0.0.1', { 'x-request-id': 'limited-1' });
    expectLimited(refused, 'per_key', 5);
    expect(refused.headers['x-request-id']).toBe('limited-1');
    // From another address too: the budget is the key's.
    expectLimited(await get(t, '/escrows', a, '10.9.9.9'), 'per_key', 5);
    expect((await get(t, '/escrows', b)).statusCode).toBe(200);
  });

  it('is never spent by someone who knows the prefix but not the secret', async () => {
    const c = await newKey(t, admin, 'c');
    const forged = `${c.split('.')[0]}.${'x'.repeat(43)}`;
    expect(await times(10, () => get(t, '/escrows', forged))).toEqual(Array(10).fill(401));
    expect(await times(5, () => get(t, '/escrows', c))).toEqual([200, 200, 200, 200, 200]);
  });

  it('comes back when the minute ends', async () => {
    const d = await newKey(t, admin, 'd');
    await times(5, () => get(t, '/escrows', d));
    expectLimited(await get(t, '/escrows', d), 'per_key', 5);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now + 61_000);
    try {
      expect((await get(t, '/escrows', d)).statusCode).toBe(200);
    } finally {
      clock.mockRestore();
    }
  });
});

describe('per client address', () => {
  let t: TestApp;
  let admin: string;
  const PROXY = '10.0.0.1';
  beforeAll(async () => {
    ({ t, admin } = await start({ RATE_LIMIT_PER_IP_PER_MINUTE: '4', TRUST_PROXY: PROXY }));
  });
  afterAll(() => t.close());

  it('refuses an address its fifth request, keyed or not, and leaves other addresses alone', async () => {
    const statuses = [
      (await get(t, '/openapi.json', undefined, '192.0.2.1')).statusCode,
      (await get(t, '/nope', undefined, '192.0.2.1')).statusCode,
      (await get(t, '/escrows', admin, '192.0.2.1')).statusCode,
      (await get(t, '/escrows', undefined, '192.0.2.1')).statusCode,
    ];
    expect(statuses).toEqual([200, 404, 200, 401]);
    expectLimited(await get(t, '/escrows', admin, '192.0.2.1'), 'per_ip', 4);
    expectLimited(await get(t, '/openapi.json', undefined, '192.0.2.1'), 'per_ip', 4);
    expect((await get(t, '/escrows', admin, '192.0.2.2')).statusCode).toBe(200);
  });

  it('never limits /health and /metrics', async () => {
    await times(4, () => get(t, '/openapi.json', undefined, '192.0.2.3'));
    expectLimited(await get(t, '/openapi.json', undefined, '192.0.2.3'), 'per_ip', 4);
    expect(await times(10, () => get(t, '/health', undefined, '192.0.2.3'))).toEqual(
      Array(10).fill(200),
    );
    expect(await times(10, () => get(t, '/metrics', undefined, '192.0.2.3'))).toEqual(
      Array(10).fill(200),
    );
  });

  it('counts per client behind a trusted proxy, and believes no one else’s X-Forwarded-For', async () => {
    const via = (client: string, from = PROXY) =>
      get(t, '/openapi.json', undefined, from, { 'x-forwarded-for': client });
    expect(await times(4, () => via('198.51.100.1'))).toEqual([200, 200, 200, 200]);
    expectLimited(await via('198.51.100.1'), 'per_ip', 4);
    expect((await via('198.51.100.2')).statusCode).toBe(200);
    // An untrusted client naming a new address each time is still one address.
    const spoofed = await times(5, () =>
      via(`203.0.113.${Math.floor(Math.random() * 250)}`, '192.0.2.9'),
    );
    expect(spoofed).toEqual([200, 200, 200, 200, 429]);
  });

  it('counts an IPv6 /64 as one address', async () => {
    expect(await times(4, () => get(t, '/openapi.json', undefined, '2001:db8:1:2::10'))).toEqual([
      200, 200, 200, 200,
    ]);
    expectLimited(await get(t, '/openapi.json', undefined, '2001:db8:1:2::99'), 'per_ip', 4);
    expect((await get(t, '/openapi.json', undefined, '2001:db8:1:3::10')).statusCode).toBe(200);
  });
});

describe('failed authentication', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await start({ RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '3' }));
  });
  afterAll(() => t.close());

  it('refuses an address after three 401s, before any key lookup, whatever it sends', async () => {
    const from = '192.0.2.50';
    const bad = `koba_000000.${'y'.repeat(43)}`;
    const failures = [
      (await get(t, '/escrows', undefined, from)).statusCode,
      (await get(t, '/escrows', bad, from)).statusCode,
      (await get(t, '/users', bad, from)).statusCode,
    ];
    expect(failures).toEqual([401, 401, 401]);
    const authenticate = jest.spyOn(t.app.get(Authenticator), 'authenticate');
    try {
      expectLimited(await get(t, '/escrows', bad, from), 'auth_failures_per_ip', 3);
      // Even with a good key, and on a public route: the address is refused for the minute.
      expectLimited(await get(t, '/escrows', admin, from), 'auth_failures_per_ip', 3);
      expectLimited(await get(t, '/openapi.json', undefined, from), 'auth_failures_per_ip', 3);
      expect(authenticate).not.toHaveBeenCalled();
      expect((await get(t, '/health', undefined, from)).statusCode).toBe(200);
      // Another address is not concerned, and its successes never count.
      expect(await times(6, () => get(t, '/escrows', admin, '192.0.2.51'))).toEqual(
        Array(6).fill(200),
      );
      expect(authenticate).toHaveBeenCalledTimes(6);
    } finally {
      authenticate.mockRestore();
    }
  });

  it('counts a webhook with a bad signature as a failed authentication', async () => {
    const from = '192.0.2.60';
    const webhook = () =>
      t.app.inject({
        method: 'POST',
        url: '/psp/webhook',
        remoteAddress: from,
        headers: {
          'content-type': 'application/json',
          'x-psp-timestamp': String(Math.trunc(Date.now() / 1000)),
          'x-psp-signature': 'bad',
        },
        payload: '{"event_id":"e-1","type":"payment.settled"}',
      });
    expect(await times(3, webhook)).toEqual([401, 401, 401]);
    expectLimited(await webhook(), 'auth_failures_per_ip', 3);
  });
});

describe('the PSP webhook', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await start({
      RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE: '3',
      RATE_LIMIT_PER_IP_PER_MINUTE: '6',
    }));
  });
  afterAll(() => t.close());

  const signed = (n: number) => {
    const raw = JSON.stringify({
      event_id: `evt-${n}-${Date.now()}`,
      type: 'payment.settled',
      psp_ref: `ref-${n}`,
    });
    const timestamp = String(Math.trunc(Date.now() / 1000));
    return t.app.inject({
      method: 'POST',
      url: '/psp/webhook',
      remoteAddress: '192.0.2.70',
      headers: {
        'content-type': 'application/json',
        'x-psp-timestamp': timestamp,
        'x-psp-signature': signWebhook(TEST_WEBHOOK_SECRET, timestamp, raw),
      },
      payload: raw,
    });
  };

  it('has a smaller budget of its own per address, apart from the general one', async () => {
    expect([
      (await signed(1)).statusCode,
      (await signed(2)).statusCode,
      (await signed(3)).statusCode,
    ]).toEqual([200, 200, 200]);
    expectLimited(await signed(4), 'webhook_per_ip', 3);
    // The same address's other requests use the general budget, untouched by the webhook's.
    expect(await times(6, () => get(t, '/escrows', admin, '192.0.2.70'))).toEqual(
      Array(6).fill(200),
    );
    expectLimited(await get(t, '/escrows', admin, '192.0.2.70'), 'per_ip', 6);
  });
});

describe('RATE_LIMIT_ENABLED=false', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await start({
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_PER_KEY_PER_MINUTE: '1',
      RATE_LIMIT_PER_IP_PER_MINUTE: '1',
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '1',
    }));
  });
  afterAll(() => t.close());

  it('limits nothing', async () => {
    expect(await times(5, () => get(t, '/escrows', admin))).toEqual(Array(5).fill(200));
    expect(await times(5, () => get(t, '/escrows'))).toEqual(Array(5).fill(401));
  });
});
