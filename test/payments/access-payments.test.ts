/**
 * API-RULES.md §1's rows for the escrow, milestone and payment routes, beyond the scope check
 * that test/authz generates: the party rules (a sender that is not a party gets NOT_ESCROW_PARTY,
 * reads and writes alike; the provider is not the client; either party may mark delivered, A3),
 * a sender key without a user (KEY_HAS_NO_USER), what support and the auditor may and may not do,
 * that every refusal stores nothing and reaches no PSP, `check-deadline` before the deadline,
 * §4's Idempotency-Key on client-approve, and hostile input on these routes, which is always a
 * 4xx in the error envelope and never a 5xx.
 */
import type { Response } from 'light-my-request';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, type Method, startEscrowApi } from '../support/escrow-api';
import {
  allEventCount,
  escrowEventTypes,
  fundedEscrow,
  withPspMode,
} from '../support/escrow-api-extra';

let api: EscrowApi;
/** A sender-scoped key that is linked to no user. */
let userless: string;
/** A funded escrow with milestone 1 released (its payout SENT) and milestone 2 open. */
let escrow: { id: string; m1: string; m2: string; payment: string };

beforeAll(async () => {
  api = await startEscrowApi();
  const created = await api.call('POST', '/apikeys', api.keys.admin, {
    name: 'no user',
    scope: 'sender',
  });
  expect(created.statusCode).toBe(201);
  userless = created.json().key;
  const { id, milestones } = await fundedEscrow(api, {
    total: '100.00',
    milestones: ['10.00', '20.00'],
  });
  const payment = (await api.release(milestones[0]!)).json().id as string;
  escrow = { id, m1: milestones[0]!, m2: milestones[1]!, payment };
});
afterAll(() => api.close());

type Route = {
  method: Method;
  url: () => string;
  body?: unknown;
  headers?: Record<string, string>;
};

const reads: Record<string, Route> = {
  'GET escrow': { method: 'GET', url: () => `/escrows/${escrow.id}` },
  'GET summary': { method: 'GET', url: () => `/escrows/${escrow.id}/summary` },
  'GET payments': { method: 'GET', url: () => `/escrows/${escrow.id}/payments` },
  'GET milestones': { method: 'GET', url: () => `/escrows/${escrow.id}/milestones` },
  'GET milestone': { method: 'GET', url: () => `/escrows/milestones/${escrow.m1}` },
  'GET payment': { method: 'GET', url: () => `/payments/${escrow.payment}` },
};
const clientWrites: Record<string, Route> = {
  deposit: {
    method: 'POST',
    url: () => `/escrows/${escrow.id}/deposit`,
    body: { amount: '1.00' },
    headers: { 'idempotency-key': 'access-dep' },
  },
  milestones: {
    method: 'POST',
    url: () => `/escrows/${escrow.id}/milestones`,
    body: { label: 'x', amount: '1.00', currency: 'USD', sequence_index: 9 },
  },
  release: { method: 'POST', url: () => `/escrows/milestones/${escrow.m2}/release` },
  'client-approve': { method: 'POST', url: () => `/escrows/${escrow.id}/client-approve`, body: {} },
  'client-reject': { method: 'POST', url: () => `/escrows/${escrow.id}/client-reject`, body: {} },
};
/** Either party's (FRONTEND-CONTRACT.md A3). */
const partyWrites: Record<string, Route> = {
  'mark-delivered': { method: 'POST', url: () => `/escrows/${escrow.id}/mark-delivered`, body: {} },
};
const partyOrSupport: Record<string, Route> = {
  'check-deadline': { method: 'POST', url: () => `/escrows/${escrow.id}/check-deadline` },
};
const supportWrites: Record<string, Route> = {
  execute: { method: 'POST', url: () => `/payments/execute/${escrow.payment}` },
  retry: { method: 'POST', url: () => `/payments/${escrow.payment}/retry` },
};

const send = (r: Route, key: string | null) => api.call(r.method, r.url(), key, r.body, r.headers);

/** Each refusal: the envelope with `code`, nothing stored (an alert aside, §6), no PSP call. */
async function expectRefusals(
  routes: Record<string, Route>,
  key: string | null,
  status: number,
  code: string,
): Promise<void> {
  const events = await allEventCount(api, { exceptAlerts: true });
  const calls = api.t.platform.psp.calls.length;
  for (const [name, route] of Object.entries(routes)) {
    const res = await send(route, key);
    expect({ route: name, status: res.statusCode, code: res.json().error?.code }).toEqual({
      route: name,
      status,
      code,
    });
    expectErrorEnvelope(res, status, code);
  }
  expect(await allEventCount(api, { exceptAlerts: true })).toBe(events);
  expect(api.t.platform.psp.calls.length).toBe(calls);
}

describe('party rules', () => {
  it('refuses a sender that is no party with NOT_ESCROW_PARTY on reads and writes alike', async () => {
    const all = { ...reads, ...clientWrites, ...partyWrites, ...partyOrSupport };
    await expectRefusals(all, api.keys.stranger, 403, 'NOT_ESCROW_PARTY');
  });

  it("refuses the provider the client's routes with NOT_ESCROW_CLIENT", async () => {
    await expectRefusals(clientWrites, api.keys.provider, 403, 'NOT_ESCROW_CLIENT');
  });

  it('lets the client mark delivered too (A3): a DRAFT escrow meets the state rule, not a 403', async () => {
    const draft = await api.escrow();
    const res = await api.call('POST', `/escrows/${draft}/mark-delivered`, api.keys.client, {});
    expectErrorEnvelope(res, 409, 'INVALID_STATE_TRANSITION');
  });

  it('lets both parties read the escrow, its payments and milestones', async () => {
    for (const key of [api.keys.client, api.keys.provider]) {
      for (const [name, route] of Object.entries(reads))
        expect({ name, status: (await send(route, key)).statusCode }).toEqual({
          name,
          status: 200,
        });
    }
  });

  it('refuses a sender key without a user with KEY_HAS_NO_USER on every party route', async () => {
    await expectRefusals(
      { ...reads, ...clientWrites, ...partyWrites, ...partyOrSupport },
      userless,
      403,
      'KEY_HAS_NO_USER',
    );
    // Not a sender route at all: the scope decides first.
    await expectRefusals(supportWrites, userless, 403, 'INSUFFICIENT_SCOPE');
  });

  it('refuses every route without a key with 401', async () => {
    await expectRefusals(
      { ...reads, ...clientWrites, ...partyWrites, ...partyOrSupport, ...supportWrites },
      null,
      401,
      'NO_API_KEY',
    );
  });
});

describe('support and auditor', () => {
  it('support reads, checks deadlines, executes and retries, but takes no party action', async () => {
    for (const [name, route] of Object.entries(reads))
      expect({ name, status: (await send(route, api.keys.support)).statusCode }).toEqual({
        name,
        status: 200,
      });
    expect((await send(partyOrSupport['check-deadline']!, api.keys.support)).statusCode).toBe(200);
    await expectRefusals(
      { ...clientWrites, ...partyWrites },
      api.keys.support,
      403,
      'INSUFFICIENT_SCOPE',
    );
    const { milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const failed = (await withPspMode(api, 'fail', () => api.release(milestones[0]!))).json();
    const retried = await api.call('POST', `/payments/${failed.id}/retry`, api.keys.support);
    expect(retried.statusCode).toBe(201);
    const other = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const pending = (
      await withPspMode(api, 'timeout', () => api.release(other.milestones[0]!))
    ).json();
    expect(pending.status).toBe('PENDING');
    const executed = await api.call('POST', `/payments/execute/${pending.id}`, api.keys.support);
    expect(executed.json()).toMatchObject({ status: 'SENT' });
  });

  it('the auditor reads everything but executes, retries and checks deadlines nothing', async () => {
    for (const [name, route] of Object.entries(reads))
      expect({ name, status: (await send(route, api.keys.auditor)).statusCode }).toEqual({
        name,
        status: 200,
      });
    await expectRefusals(
      { ...clientWrites, ...partyWrites, ...partyOrSupport, ...supportWrites },
      api.keys.auditor,
      403,
      'INSUFFICIENT_SCOPE',
    );
  });

  it('parties may not execute or retry payments', async () => {
    for (const key of [api.keys.client, api.keys.provider])
      await expectRefusals(supportWrites, key, 403, 'INSUFFICIENT_SCOPE');
  });
});

describe('check-deadline before the deadline', () => {
  it('answers 200 with the escrow unchanged for either party, appending nothing', async () => {
    const before = await escrowEventTypes(api, escrow.id);
    const summary = await api.summary(escrow.id);
    for (const key of [api.keys.client, api.keys.provider, api.keys.support]) {
      const res = await api.call('POST', `/escrows/${escrow.id}/check-deadline`, key);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: escrow.id, status: 'FUNDED', payments: [] });
    }
    expect(await escrowEventTypes(api, escrow.id)).toEqual(before);
    expect(await api.summary(escrow.id)).toEqual(summary);
  });
});

describe('Idempotency-Key on client-approve', () => {
  const approve = (id: string, body: unknown, key: string) =>
    api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, body, {
      'idempotency-key': key,
    });

  it('answers the same key again with the first answer and no new events; another body is 422', async () => {
    const { id } = await fundedEscrow(api, { total: '40.00', milestones: ['15.00'] });
    const first = await approve(id, { note: 'done' }, 'approve-1');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'RELEASED',
      payments: [{ amount: '15.00' }, { amount: '25.00' }],
    });
    const events = await allEventCount(api);
    const calls = api.t.platform.psp.calls.length;
    const again = await approve(id, { note: 'done' }, 'approve-1');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await allEventCount(api)).toBe(events);
    expect(api.t.platform.psp.calls.length).toBe(calls);
    expectErrorEnvelope(
      await approve(id, { note: 'other' }, 'approve-1'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expectErrorEnvelope(await approve(id, {}, 'approve-1'), 422, 'IDEMPOTENCY_KEY_REUSED');
    // Without the key (or with a new one) it is a new request on a closed escrow.
    expectErrorEnvelope(await approve(id, { note: 'done' }, 'approve-2'), 409, 'ESCROW_CLOSED');
    expect(await allEventCount(api)).toBe(events);
  });

  it('does not use up a key on a refusal, and scopes it to the path', async () => {
    const { id } = await fundedEscrow(api, { total: '10.00', deposit: '5.00' });
    // DRAFT: refused, and the key stays free.
    expectErrorEnvelope(await approve(id, {}, 'approve-later'), 409, 'INVALID_STATE_TRANSITION');
    await api.deposit(id, '5.00');
    const ok = await approve(id, {}, 'approve-later');
    expect(ok.json()).toMatchObject({
      status: 'RELEASED',
      payments: [{ amount: '10.00', status: 'SENT' }],
    });
    // The same key on another escrow is another request.
    const other = await fundedEscrow(api, { total: '10.00' });
    expect((await approve(other.id, {}, 'approve-later')).json()).toMatchObject({
      id: other.id,
      status: 'RELEASED',
    });
  });
});

describe('hostile input', () => {
  const raw = (
    method: Method,
    url: string,
    payload: string,
    key: string,
    headers: Record<string, string> = {},
  ) =>
    api.t.app.inject({
      method,
      url,
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers },
      payload,
    });

  const expect4xx = (res: Response, what: string) => {
    expect({
      what,
      status: res.statusCode >= 400 && res.statusCode < 500 ? '4xx' : res.statusCode,
    }).toEqual({ what, status: '4xx' });
    expect(Object.keys(res.json())).toEqual(['error']);
  };

  it('answers malformed JSON with 400 MALFORMED_JSON on every money route', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const routes: [string, string][] = [
      [`/escrows/${id}/client-approve`, api.keys.client],
      [`/escrows/${id}/client-reject`, api.keys.client],
      [`/escrows/${id}/mark-delivered`, api.keys.provider],
      [`/escrows/${id}/deposit`, api.keys.client],
      [`/escrows/${id}/milestones`, api.keys.client],
      [`/escrows/milestones/${milestones[0]}/release`, api.keys.client],
      [`/escrows/${id}/check-deadline`, api.keys.client],
    ];
    const before = await escrowEventTypes(api, id);
    for (const [url, key] of routes) {
      for (const payload of ['{bad', '', '{"note":', '{"__proto__":{"x":1}}']) {
        expectErrorEnvelope(
          await raw('POST', url, payload, key, { 'idempotency-key': 'hostile' }),
          400,
          'MALFORMED_JSON',
        );
      }
    }
    expect(await escrowEventTypes(api, id)).toEqual(before);
  });

  it('refuses unknown fields, long or non-string notes, NUL and non-object bodies on client decisions with 422', async () => {
    const { id } = await fundedEscrow(api, { total: '10.00' });
    const before = await escrowEventTypes(api, id);
    const bodies = [
      '{"extra":1}',
      JSON.stringify({ note: 'x'.repeat(5000) }),
      JSON.stringify({ note: 'x'.repeat(2001) }),
      '{"note":123}',
      '{"note":["a"]}',
      '{"note":{"a":1}}',
      '{"note":"a\\u0000b"}',
      '{"note":"\\ud800"}',
      JSON.stringify({ proof_url: 'h'.repeat(3000) }),
      '[]',
      '[{"note":"x"}]',
      '"approve"',
      '5',
      'true',
    ];
    for (const url of [`/escrows/${id}/client-approve`, `/escrows/${id}/client-reject`]) {
      for (const body of bodies) {
        const res = await raw('POST', url, body, api.keys.client);
        expect({ body: body.slice(0, 30), status: res.statusCode }).toEqual({
          body: body.slice(0, 30),
          status: 422,
        });
        expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
      }
    }
    for (const body of bodies)
      expect4xx(
        await raw('POST', `/escrows/${id}/mark-delivered`, body, api.keys.provider),
        body.slice(0, 30),
      );
    expect(await escrowEventTypes(api, id)).toEqual(before);
    // A note of the maximum length is fine.
    const ok = await raw(
      'POST',
      `/escrows/${id}/client-reject`,
      JSON.stringify({ note: 'n'.repeat(2000) }),
      api.keys.client,
    );
    expect(ok.json()).toMatchObject({ status: 'REFUNDED' });
  });

  it('refuses bodies on the routes that take none (release, check-deadline, execute, retry) rather than ignoring them', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['4.00'] });
    const failed = (await withPspMode(api, 'fail', () => api.release(milestones[0]!))).json();
    const before = await escrowEventTypes(api, id);
    const routes: [string, string][] = [
      [`/escrows/milestones/${milestones[0]}/release`, api.keys.client],
      [`/escrows/${id}/check-deadline`, api.keys.client],
      [`/payments/execute/${failed.id}`, api.keys.support],
      [`/payments/${failed.id}/retry`, api.keys.support],
    ];
    // A client sending `{"amount": "1.00"}` to release must not believe it released 1.00.
    const bodies = [
      '{"amount":"1.00"}',
      '{"extra":1}',
      JSON.stringify({ note: 'x'.repeat(5000) }),
      '[]',
      '[{"a":1}]',
      '"x"',
    ];
    const answers: string[] = [];
    for (const [url, key] of routes) {
      for (const body of bodies) {
        const res = await raw('POST', url, body, key);
        answers.push(
          `${url.replace(id, '{escrow}').replace(milestones[0]!, '{milestone}').replace(failed.id, '{payment}')} ${body.slice(0, 20)} → ${res.statusCode}`,
        );
      }
    }
    expect(answers.filter((a) => !a.endsWith('→ 422'))).toEqual([]);
    expect(await escrowEventTypes(api, id)).toEqual(before);
  });

  it('answers hostile ids and query values with a 4xx in the envelope', async () => {
    const { id } = await fundedEscrow(api, { total: '10.00' });
    const long = 'a'.repeat(5000);
    const paths: [Method, string, string][] = [
      ['GET', `/escrows/${id}/payments?kind=${'x'.repeat(5000)}`, api.keys.client],
      ['GET', `/escrows/${id}/payments?kind=payout&kind=refund`, api.keys.client],
      ['GET', `/escrows/${id}/payments?kind[]=payout`, api.keys.client],
      ['GET', `/escrows/${id}/payments?kind=PAYOUT`, api.keys.client],
      ['GET', `/escrows/${id}/payments?kind=%00`, api.keys.client],
      ['GET', `/escrows/${id}/payments?limit=0`, api.keys.client],
      ['GET', `/escrows/${id}/payments?limit=201`, api.keys.client],
      ['GET', `/escrows/${id}/payments?offset=-1`, api.keys.client],
      ['GET', `/escrows/${id}/payments?unknown=1`, api.keys.client],
      ['GET', `/payments/${id}%00`, api.keys.admin],
      ['GET', `/payments/%00`, api.keys.admin],
      ['POST', `/payments/execute/${id}%00`, api.keys.support],
      ['POST', `/payments/a%00b/retry`, api.keys.support],
      ['GET', `/escrows/${id}%00/summary`, api.keys.client],
      ['POST', `/escrows/${id}%00/client-approve`, api.keys.client],
      ['POST', `/escrows/milestones/%00/release`, api.keys.client],
      ['GET', `/payments/${long}`, api.keys.admin],
      ['POST', `/payments/${long}/retry`, api.keys.support],
      ['POST', `/escrows/${long}/check-deadline`, api.keys.client],
      ['GET', `/escrows/milestones/${long}`, api.keys.client],
    ];
    for (const [method, url, key] of paths) {
      const res = await api.call(method, url, key);
      expect4xx(res, `${method} ${url.slice(0, 60)}`);
      expect(typeof res.json().error.code).toBe('string');
    }
    expectErrorEnvelope(
      await raw('POST', `/escrows/${id}/client-approve`, '{}', api.keys.client, {
        'idempotency-key': 'é',
      }),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await raw('POST', `/escrows/${id}/client-approve`, '{}', api.keys.client, {
        'idempotency-key': 'k'.repeat(256),
      }),
      422,
      'VALIDATION_ERROR',
    );
    const textPlain = await api.t.app.inject({
      method: 'POST',
      url: `/escrows/${id}/client-approve`,
      headers: { 'x-api-key': api.keys.client, 'content-type': 'text/plain' },
      payload: '{}',
    });
    expectErrorEnvelope(textPlain, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await api.summary(id)).escrow.status).toBe('FUNDED');
  });
});
