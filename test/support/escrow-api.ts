/**
 * A small client of the escrow API for HTTP tests: users and keys for each role (client,
 * provider, a stranger, support, auditor, the bootstrap admin), and one function per call the
 * money tests repeat (create, fund, add milestones, release, approve, reject, signed webhooks).
 * It speaks HTTP through Fastify's inject on a real test app (real PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'light-my-request';
import { signWebhook } from '@kob/psp';
import { TEST_WEBHOOK_SECRET, startTestApp, type TestApp } from './test-app';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type RoleName = 'client' | 'provider' | 'stranger' | 'support' | 'auditor' | 'admin';

export interface EscrowApi {
  t: TestApp;
  ids: Record<'client' | 'provider' | 'stranger', string>;
  keys: Record<RoleName, string>;
  call(
    method: Method,
    url: string,
    key: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Asks for a DRAFT escrow of the client for the provider; returns the answer as it is. */
  create(over?: Record<string, unknown>): Promise<Response>;
  /** A DRAFT escrow of the client for the provider; returns its id. */
  escrow(over?: Record<string, unknown>): Promise<string>;
  deposit(escrowId: string, amount: string, key?: string): Promise<Response>;
  milestone(
    escrowId: string,
    sequenceIndex: number,
    amount: string,
    over?: Record<string, unknown>,
  ): Promise<string>;
  release(milestoneId: string, as?: string, headers?: Record<string, string>): Promise<Response>;
  summary(escrowId: string, as?: string): Promise<Record<string, any>>;
  webhook(
    body: Record<string, unknown>,
    options?: { secret?: string; timestamp?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export const newAdminKey = () =>
  `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

/** Calls `t`'s API as a client would: the key in `X-API-Key`, a JSON body, more headers. */
export function httpCaller(t: TestApp): EscrowApi['call'] {
  return (method, url, key, body, headers = {}) =>
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
}

export async function startEscrowApi(env: Record<string, string> = {}): Promise<EscrowApi> {
  const admin = newAdminKey();
  const t = await startTestApp({
    env: { BOOTSTRAP_ADMIN_API_KEY: admin, CURRENCIES: 'USD:2,EUR:2,JPY:0,KWD:3', ...env },
  });
  const call = httpCaller(t);
  const ids = {} as EscrowApi['ids'];
  const keys = { admin } as EscrowApi['keys'];
  for (const name of ['client', 'provider', 'stranger'] as const) {
    const tag = randomBytes(4).toString('hex');
    const user = await call('POST', '/users', admin, {
      username: `${name}-${tag}`,
      email: `${name}-${tag}@example.org`,
    });
    ids[name] = user.json().id;
    keys[name] = (
      await call('POST', '/apikeys', admin, { name, scope: 'sender', user_id: ids[name] })
    ).json().key;
  }
  for (const scope of ['support', 'auditor'] as const) {
    keys[scope] = (await call('POST', '/apikeys', admin, { name: scope, scope })).json().key;
  }
  const api: EscrowApi = {
    t,
    ids,
    keys,
    call,
    create: (over = {}) =>
      call('POST', '/escrows', keys.client, {
        client_id: ids.client,
        provider_id: ids.provider,
        amount_total: '100.00',
        currency: 'USD',
        release_conditions: {},
        deadline_at: '2099-12-31T00:00:00Z',
        ...over,
      }),
    async escrow(over = {}) {
      const res = await api.create(over);
      if (res.statusCode !== 201) throw new Error(`create escrow: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    },
    deposit: (escrowId, amount, key = `dep-${randomBytes(6).toString('hex')}`) =>
      call(
        'POST',
        `/escrows/${escrowId}/deposit`,
        keys.client,
        { amount },
        { 'idempotency-key': key },
      ),
    async milestone(escrowId, sequenceIndex, amount, over = {}) {
      const { currency } = (await call('GET', `/escrows/${escrowId}`, keys.client)).json();
      const res = await call('POST', `/escrows/${escrowId}/milestones`, keys.client, {
        label: `Milestone ${sequenceIndex}`,
        amount,
        currency,
        sequence_index: sequenceIndex,
        ...over,
      });
      if (res.statusCode !== 201) throw new Error(`add milestone: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    },
    release: (milestoneId, as = keys.client, headers = {}) =>
      call('POST', `/escrows/milestones/${milestoneId}/release`, as, undefined, headers),
    async summary(escrowId, as = keys.admin) {
      const res = await call('GET', `/escrows/${escrowId}/summary`, as);
      if (res.statusCode !== 200) throw new Error(`summary: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    webhook(body, options = {}) {
      const raw = JSON.stringify(body);
      const timestamp = options.timestamp ?? String(Math.trunc(Date.now() / 1000));
      const signature = signWebhook(options.secret ?? TEST_WEBHOOK_SECRET, timestamp, raw);
      return t.app.inject({
        method: 'POST',
        url: '/psp/webhook',
        headers: {
          'content-type': 'application/json',
          'x-psp-timestamp': timestamp,
          'x-psp-signature': signature,
          ...options.headers,
        },
        payload: raw,
      });
    },
    close: () => t.close(),
  };
  return api;
}
