/**
 * `GET /escrows/{id}?as_of=` over HTTP (issue 14): auditors and admin read an escrow as its
 * stream stood at a position token or a time, the cut of the CLI's `replay --as-of`. An escrow
 * is created, given two milestones, funded, and its milestones released one by one; `as_of` at
 * each step's position token and recorded time answers that step's state, with the revision and
 * position of the last event folded; after the last event, the state now. Any other key is
 * refused before anything is looked up; a cut that is neither form is a 422, a cut before the
 * escrow a 404; without `as_of` the route answers as before.
 */
import type { Response } from 'light-my-request';
import { decodePosition, encodePosition } from '@kob/event-store';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { expectErrorEnvelope, until } from '../http/http-expect';

/** One step of the escrow's life: what the command answered and the escrow's state after it. */
interface Step {
  name: string;
  /** `X-Event-Position` of the command: its last event (maybe on another stream it wrote) */
  token: string;
  /** the position of the escrow's last event after it */
  position: string;
  /** the escrow's revision after it */
  revision: string;
  /** the recorded time of its last event (ISO, milliseconds) */
  recordedAt: string;
  status: string;
  deposited: string;
}

const asOfUrl = (id: string, asOf: string) => `/escrows/${id}?as_of=${encodeURIComponent(asOf)}`;

describe('GET /escrows/{id}?as_of=', () => {
  let api: EscrowApi;
  let escrowId: string;
  const steps: Step[] = [];

  /** Runs `command`, waits for the clock to move on (so steps' times differ), records the step. */
  async function step(name: string, command: () => Promise<Response>, expected: number) {
    const res = await command();
    if (res.statusCode !== expected) throw new Error(`${name}: ${res.statusCode} ${res.body}`);
    const token = String(res.headers['x-event-position']);
    expect(decodePosition(token)).not.toBeNull();
    const events = await api.t.platform.store.readStream(`escrow-${escrowId}`);
    const last = events[events.length - 1]!;
    const now = (await api.call('GET', `/escrows/${escrowId}`, api.keys.admin)).json();
    steps.push({
      name,
      token,
      position: encodePosition(last.position),
      revision: last.revision.toString(),
      recordedAt: last.recordedAt.toISOString(),
      status: now.status,
      deposited: now.deposited,
    });
    // The next step's events are recorded at a later millisecond than this one's cut.
    await until('the clock to pass the step', () => Date.now() > last.recordedAt.getTime() + 2);
  }

  beforeAll(async () => {
    api = await startEscrowApi();
    const { keys, call } = api;
    let milestones: string[] = [];
    await step(
      'created',
      async () => {
        const res = await api.create();
        escrowId = res.json().id;
        return res;
      },
      201,
    );
    for (const [i, amount] of ['40.00', '60.00'].entries()) {
      await step(
        `milestone ${i + 1}`,
        async () => {
          const res = await call('POST', `/escrows/${escrowId}/milestones`, keys.client, {
            label: `Milestone ${i + 1}`,
            amount,
            currency: 'USD',
            sequence_index: i + 1,
          });
          milestones = [...milestones, res.json().id];
          return res;
        },
        201,
      );
    }
    await step('funded', () => api.deposit(escrowId, '100.00'), 200);
    await step('first milestone paid', () => api.release(milestones[0]!), 200);
    await step('second milestone paid', () => api.release(milestones[1]!), 200);
  });
  afterAll(() => api.close());

  const at = (asOf: string, key = api.keys.auditor) =>
    api.call('GET', asOfUrl(escrowId, asOf), key);

  it('has moved the escrow on at each step', () => {
    expect(steps.map((s) => [s.name, s.status, s.deposited])).toEqual([
      ['created', 'DRAFT', '0.00'],
      ['milestone 1', 'DRAFT', '0.00'],
      ['milestone 2', 'DRAFT', '0.00'],
      ['funded', 'FUNDED', '100.00'],
      ['first milestone paid', 'FUNDED', '100.00'],
      ['second milestone paid', 'RELEASED', '100.00'],
    ]);
    expect(new Set(steps.map((s) => s.revision)).size).toBe(steps.length);
  });

  it("answers each step's state at its command's token and at its last event's position", async () => {
    for (const s of steps) {
      for (const asOf of [s.token, s.position]) {
        const res = await at(asOf);
        expect({ step: s.name, status: res.statusCode }).toEqual({ step: s.name, status: 200 });
        expect(res.json()).toMatchObject({
          id: escrowId,
          status: s.status,
          deposited: s.deposited,
          amount_total: '100.00',
          as_of: asOf,
          revision: s.revision,
          position: s.position,
        });
      }
    }
  });

  it("answers each step's state at the time its last event was recorded", async () => {
    for (const s of steps) {
      const res = await at(s.recordedAt);
      expect({ step: s.name, status: res.statusCode }).toEqual({ step: s.name, status: 200 });
      expect(res.json()).toMatchObject({
        status: s.status,
        deposited: s.deposited,
        as_of: s.recordedAt,
        revision: s.revision,
        position: s.position,
      });
    }
    // A time with another zone names the same instant.
    const funded = steps[3]!;
    const shifted = new Date(funded.recordedAt).getTime() + 3_600_000;
    const plusOne = `${new Date(shifted).toISOString().slice(0, 23)}+01:00`;
    expect((await at(plusOne)).json()).toMatchObject({ status: 'FUNDED', as_of: plusOne });
  });

  it('answers the state now for a cut after the last event, to auditors and admin', async () => {
    const now = (await api.call('GET', `/escrows/${escrowId}`, api.keys.client)).json();
    const last = steps[steps.length - 1]!;
    // A later position (another escrow's creation) and a time in the future.
    const later = await api.create({ amount_total: '5.00' });
    const laterPosition = String(later.headers['x-event-position']);
    for (const [asOf, key] of [
      [laterPosition, api.keys.auditor],
      ['2999-01-01T00:00:00Z', api.keys.auditor],
      ['2999-01-01T00:00:00Z', api.keys.admin],
    ] as const) {
      const res = await at(asOf, key);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        ...now,
        as_of: asOf,
        revision: last.revision,
        position: last.position,
      });
    }
  });

  it('is 404 ESCROW_NOT_FOUND before the escrow existed, and for an escrow that never did', async () => {
    const before = expectErrorEnvelope(await at('2000-01-01T00:00:00Z'), 404, 'ESCROW_NOT_FOUND');
    expect(before.details).toEqual({ as_of: '2000-01-01T00:00:00Z' });
    const created = new Date(steps[0]!.recordedAt).getTime();
    expectErrorEnvelope(await at(new Date(created - 1).toISOString()), 404, 'ESCROW_NOT_FOUND');
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await api.call('GET', asOfUrl(unknown, steps[0]!.position), api.keys.admin);
    expectErrorEnvelope(res, 404, 'ESCROW_NOT_FOUND');
  });

  it('refuses every other key with 403 INSUFFICIENT_SCOPE, the same whatever the escrow', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const asked = (role: 'client' | 'provider' | 'stranger' | 'support') =>
      [escrowId, unknown].flatMap((id) =>
        [steps[0]!.position, '2999-01-01T00:00:00Z', 'not a cut'].map((asOf) =>
          api.call('GET', asOfUrl(id, asOf), api.keys[role]),
        ),
      );
    // A sender learns nothing of an escrow it cannot see: one answer, party or not, known or not.
    const senderAnswers = new Set<string>();
    for (const role of ['client', 'provider', 'stranger'] as const) {
      for (const res of await Promise.all(asked(role))) {
        senderAnswers.add(JSON.stringify(expectErrorEnvelope(res, 403, 'INSUFFICIENT_SCOPE')));
      }
    }
    expect([...senderAnswers].map((a) => JSON.parse(a))).toEqual([
      {
        code: 'INSUFFICIENT_SCOPE',
        message: expect.stringContaining('[auditor, admin]'),
        details: { required_scopes: ['auditor', 'admin'], scope: 'sender' },
      },
    ]);
    for (const res of await Promise.all(asked('support'))) {
      const error = expectErrorEnvelope(res, 403, 'INSUFFICIENT_SCOPE');
      expect(error.details).toEqual({ required_scopes: ['auditor', 'admin'], scope: 'support' });
    }
    expectErrorEnvelope(await api.call('GET', asOfUrl(escrowId, 'x'), null), 401, 'NO_API_KEY');
  });

  it('answers as before without as_of', async () => {
    const row = await api.call('GET', `/escrows/${escrowId}`, api.keys.client);
    expect(row.statusCode).toBe(200);
    expect(Object.keys(row.json()).sort()).toEqual(
      [
        'id',
        'client_id',
        'provider_id',
        'amount_total',
        'currency',
        'status',
        'domain',
        'release_conditions',
        'release_conditions_json',
        'deadline_at',
        'deposited',
        'created_at',
        // FRONTEND-CONTRACT §2: the parties' user numbers and the payment mode.
        'payment_mode',
        'provider_user_id',
        'sender_user_id',
      ].sort(),
    );
    expect(row.json()).toMatchObject({
      payment_mode: 'MILESTONE',
      provider_user_id: expect.any(Number),
      sender_user_id: expect.any(Number),
    });
    const stranger = await api.call('GET', `/escrows/${escrowId}`, api.keys.stranger);
    expectErrorEnvelope(stranger, 403, 'NOT_ESCROW_PARTY');
  });

  it.each([
    ['a word', 'yesterday'],
    ['empty', ''],
    ['a bare number', '12345'],
    ['a token of another version', `p2.${Buffer.from('1:1').toString('base64url')}`],
    ['a token with a bad payload', `p1.${Buffer.from('1-1').toString('base64url')}`],
    ['a token that is not base64url', 'p1.@@@'],
    ['a token out of range', `p1.${Buffer.from('99999999999999999999:1').toString('base64url')}`],
    ['a time without a zone', '2026-12-01T10:00:00'],
    ['a day not on the calendar', '2026-02-30T10:00:00Z'],
    ['a date alone', '2026-12-01'],
  ])('refuses %s with 422 VALIDATION_ERROR naming as_of', async (_label, asOf) => {
    const error = expectErrorEnvelope(await at(asOf), 422, 'VALIDATION_ERROR');
    expect(Object.keys((error.details as { fields: object }).fields)).toEqual(['as_of']);
  });

  it('refuses a repeated as_of and an unknown parameter with 422', async () => {
    const repeated = `/escrows/${escrowId}?as_of=${steps[0]!.position}&as_of=${steps[1]!.position}`;
    const twice = expectErrorEnvelope(
      await api.call('GET', repeated, api.keys.auditor),
      422,
      'VALIDATION_ERROR',
    );
    expect(Object.keys((twice.details as { fields: object }).fields)).toEqual(['as_of']);
    const unknown = await api.call('GET', `/escrows/${escrowId}?asof=x`, api.keys.auditor);
    expectErrorEnvelope(unknown, 422, 'VALIDATION_ERROR');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json', null)).json();
    const params = doc.paths['/escrows/{id}'].get.parameters as { name: string; in: string }[];
    expect(params).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path' }),
        expect.objectContaining({ name: 'as_of', in: 'query', required: false }),
      ]),
    );
  });
});
