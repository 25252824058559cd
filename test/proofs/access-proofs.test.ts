/**
 * Who may do what with proofs (API-RULES.md §1's rows for `/proofs`, `/proofs/files/{id}` and
 * `/proofs/{id}/decision`), past the scope check that test/authz generates: the party rules
 * (only the escrow's provider submits, only its client decides, a sender sees only its escrows'
 * proofs, the parties read an uploaded file once it is attached to a proof), a file only backing
 * a proof of its uploader, the review queue; then hostile bodies on `POST /proofs`, each refused
 * with a 4xx in the error envelope and nothing stored (never a 500), and `Idempotency-Key` on
 * `POST /proofs`.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Response } from 'light-my-request';
import { expectErrorEnvelope } from '../http/http-expect';
import type { EscrowApi } from '../support/escrow-api';
import { makePhoto } from '../support/photos';
import { KINSHASA, fundedWithMilestone, submitProof, upload } from '../support/proof-api';
import { sha256Of, shaReservation, startProofApi, streamTypes } from './support/proof-test-kit';

/** Above the default 1 MB, so that a 2 MB metadata object fits in a body. */
const HTTP_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

let api: EscrowApi;
beforeAll(async () => {
  // No scheduler: the tests count every event in the store, so no job may append any meanwhile.
  api = await startProofApi({
    HTTP_BODY_LIMIT_BYTES: String(HTTP_BODY_LIMIT_BYTES),
    SCHEDULER_ENABLED: 'false',
  });
});
afterAll(async () => {
  await api?.close();
});

let seq = 0;
/** A sha256 no other proof in this file uses. */
const freshSha = () => sha256Of(Buffer.from(`access-proofs ${++seq} ${randomUUID()}`));
const photo = () =>
  makePhoto({ scene: 300 + ++seq, width: 320, height: 240, gps: KINSHASA, gpsTime: new Date() });

/** A proof sent as a claim (storage URL and sha256, no upload): it always waits for review. */
function claim(escrowId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    escrow_id: escrowId,
    milestone_idx: 1,
    type: 'INVOICE',
    storage_url: `https://files.example/proofs/${seq}.pdf`,
    sha256: freshSha(),
    ...over,
  };
}

/** A funded escrow with one INVOICE milestone and a PENDING proof on it; returns [escrowId, proofId]. */
async function pendingProof(): Promise<[string, string]> {
  const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
  const res = await api.call('POST', '/proofs', api.keys.provider, claim(escrowId));
  expect({ status: res.statusCode, body: res.json() }).toMatchObject({
    status: 201,
    body: { status: 'PENDING' },
  });
  return [escrowId, res.json().id];
}

/** An escrow whose client is the stranger and provider the provider (made by admin), funded, with one INVOICE milestone. */
async function strangersEscrow(): Promise<string> {
  const created = await api.call('POST', '/escrows', api.keys.admin, {
    client_id: api.ids.stranger,
    provider_id: api.ids.provider,
    amount_total: '40.00',
    currency: 'USD',
    release_conditions: {},
    deadline_at: '2099-12-31T00:00:00Z',
  });
  expect(created.statusCode).toBe(201);
  const id = created.json().id as string;
  const milestone = await api.call('POST', `/escrows/${id}/milestones`, api.keys.admin, {
    label: 'Goods',
    amount: '40.00',
    currency: 'USD',
    sequence_index: 1,
    proof_kind: 'INVOICE',
  });
  expect(milestone.statusCode).toBe(201);
  const deposit = await api.call(
    'POST',
    `/escrows/${id}/deposit`,
    api.keys.admin,
    { amount: '40.00' },
    { 'idempotency-key': `dep-${randomUUID()}` },
  );
  expect(deposit.statusCode).toBe(200);
  return id;
}

const eventCount = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(api.t.platform.db))
      .rows[0]!.n,
  );
const ids = (res: Response) => (res.json().items as { id: string }[]).map((p) => p.id);
const decide = (
  proofId: string,
  key: string | null,
  body: Record<string, unknown> = { decision: 'approve' },
) => api.call('POST', `/proofs/${proofId}/decision`, key, body);

describe('POST /proofs', () => {
  it('is for the escrow’s provider (and admin): the client, a stranger, support and auditors are refused, nothing stored', async () => {
    const [escrowId] = await fundedWithMilestone(api);
    const bytes = await photo();
    const file = await upload(api, bytes);
    const body = { escrow_id: escrowId, file_id: file.file_id };
    const stream = `escrow-${escrowId}`;
    const before = await streamTypes(api, stream);

    expectErrorEnvelope(await submitProof(api, body, api.keys.client), 403, 'NOT_ESCROW_PROVIDER');
    expectErrorEnvelope(await submitProof(api, body, api.keys.stranger), 403, 'NOT_ESCROW_PARTY');
    for (const scope of ['support', 'auditor'] as const) {
      const error = expectErrorEnvelope(
        await submitProof(api, body, api.keys[scope]),
        403,
        'INSUFFICIENT_SCOPE',
      );
      expect(error.details?.required_scopes).toEqual(expect.arrayContaining(['sender', 'admin']));
    }
    expectErrorEnvelope(
      await api.call('POST', '/proofs', null, { milestone_idx: 1, type: 'PHOTO', ...body }),
      401,
      'NO_API_KEY',
    );
    expect(await streamTypes(api, stream)).toEqual(before);
    expect(await shaReservation(api, sha256Of(bytes))).toEqual({ status: 'free', events: 0 });

    // Admin may submit for the provider, with the provider's upload.
    const res = await submitProof(api, body, api.keys.admin);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      escrow_id: escrowId,
      file_id: file.file_id,
      status: 'APPROVED',
    });
  });

  it('refuses a file the provider did not upload (403 NOT_FILE_UPLOADER), and an unknown one (404)', async () => {
    const [escrowId] = await fundedWithMilestone(api);
    const before = await streamTypes(api, `escrow-${escrowId}`);
    for (const uploader of ['client', 'stranger', 'support'] as const) {
      const bytes = await photo();
      const file = await upload(api, bytes, api.keys[uploader]);
      const res = await submitProof(api, { escrow_id: escrowId, file_id: file.file_id });
      expect({ uploader, status: res.statusCode }).toEqual({ uploader, status: 403 });
      expectErrorEnvelope(res, 403, 'NOT_FILE_UPLOADER');
      expect(await shaReservation(api, sha256Of(bytes))).toEqual({ status: 'free', events: 0 });
    }
    expectErrorEnvelope(
      await submitProof(api, { escrow_id: escrowId, file_id: randomUUID() }),
      404,
      'PROOF_FILE_NOT_FOUND',
    );
    expect(await streamTypes(api, `escrow-${escrowId}`)).toEqual(before);
  });
});

describe('reading proofs', () => {
  let ownA: string; // client → provider
  let ownB: string; // stranger → provider
  let proofA: string;
  let proofB: string;
  beforeAll(async () => {
    [ownA, proofA] = await pendingProof();
    ownB = await strangersEscrow();
    const res = await api.call('POST', '/proofs', api.keys.provider, claim(ownB));
    expect(res.statusCode).toBe(201);
    proofB = res.json().id;
  });

  it('GET /proofs shows a sender only the proofs of its escrows; staff see all', async () => {
    const list = async (key: string, query = '') => {
      const res = await api.call('GET', `/proofs?limit=200${query}`, key);
      expect(res.statusCode).toBe(200);
      return res;
    };
    const client = await list(api.keys.client);
    expect(ids(client)).toContain(proofA);
    expect(ids(client)).not.toContain(proofB);
    expect(client.json().items.every((p: { escrow_id: string }) => p.escrow_id !== ownB)).toBe(
      true,
    );
    const stranger = await list(api.keys.stranger);
    expect(stranger.json()).toMatchObject({ total: 1, items: [{ id: proofB, escrow_id: ownB }] });
    expect(ids(await list(api.keys.provider))).toEqual(expect.arrayContaining([proofA, proofB]));
    for (const key of [api.keys.support, api.keys.auditor, api.keys.admin]) {
      expect(ids(await list(key))).toEqual(expect.arrayContaining([proofA, proofB]));
    }
    // Naming another escrow does not widen a sender's view.
    expect((await list(api.keys.client, `&escrow_id=${ownB}`)).json()).toMatchObject({
      total: 0,
      items: [],
    });
    expectErrorEnvelope(await api.call('GET', '/proofs', null), 401, 'NO_API_KEY');
  });

  it('GET /proofs/{id} is for the parties and staff; a stranger gets 403 NOT_ESCROW_PARTY', async () => {
    for (const who of ['client', 'provider', 'support', 'auditor', 'admin'] as const) {
      const res = await api.call('GET', `/proofs/${proofA}`, api.keys[who]);
      expect({ who, status: res.statusCode, id: res.json().id }).toEqual({
        who,
        status: 200,
        id: proofA,
      });
    }
    expectErrorEnvelope(
      await api.call('GET', `/proofs/${proofA}`, api.keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await api.call('GET', `/proofs/${proofB}`, api.keys.client),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await api.call('GET', `/proofs/${randomUUID()}`, api.keys.support),
      404,
      'PROOF_NOT_FOUND',
    );
    expectErrorEnvelope(
      await api.call('GET', '/proofs/not-a-uuid', api.keys.support),
      404,
      'PROOF_NOT_FOUND',
    );
    expectErrorEnvelope(await api.call('GET', `/proofs/${proofA}`, null), 401, 'NO_API_KEY');
  });

  it('GET /proofs?status=PENDING is the review queue: a decided proof leaves it', async () => {
    const [, pending] = await pendingProof();
    const [, decided] = await pendingProof();
    const queue = async () =>
      ids(await api.call('GET', '/proofs?status=PENDING&limit=200', api.keys.support));
    expect(await queue()).toEqual(expect.arrayContaining([pending, decided, proofA, proofB]));
    expect((await decide(decided, api.keys.client)).statusCode).toBe(200);

    const after = await api.call('GET', '/proofs?status=PENDING&limit=200', api.keys.support);
    expect(ids(after)).toContain(pending);
    expect(ids(after)).not.toContain(decided);
    expect(after.json().items.every((p: { status: string }) => p.status === 'PENDING')).toBe(true);
    expect(
      ids(await api.call('GET', '/proofs?status=APPROVED&limit=200', api.keys.auditor)),
    ).toContain(decided);
    expectErrorEnvelope(
      await api.call('GET', '/proofs?status=WAITING', api.keys.support),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await api.call('GET', '/proofs?limit=201', api.keys.support),
      422,
      'VALIDATION_ERROR',
    );
  });
});

describe('POST /proofs/{id}/decision', () => {
  it('is for the escrow’s client, support and admin: the provider, a stranger and auditors are refused, nothing stored', async () => {
    const [escrowId, proofId] = await pendingProof();
    const stream = `escrow-${escrowId}`;
    const before = await streamTypes(api, stream);

    expectErrorEnvelope(await decide(proofId, api.keys.provider), 403, 'NOT_ESCROW_CLIENT');
    expectErrorEnvelope(await decide(proofId, api.keys.stranger), 403, 'NOT_ESCROW_PARTY');
    expectErrorEnvelope(await decide(proofId, api.keys.auditor), 403, 'INSUFFICIENT_SCOPE');
    expectErrorEnvelope(await decide(proofId, null), 401, 'NO_API_KEY');
    expect(await streamTypes(api, stream)).toEqual(before);

    const bySupport = await decide(proofId, api.keys.support, {
      decision: 'reject',
      note: 'blurred',
    });
    expect(bySupport.statusCode).toBe(200);
    expect(bySupport.json()).toMatchObject({ status: 'REJECTED', decision_note: 'blurred' });
    const [, forClient] = await pendingProof();
    expect((await decide(forClient, api.keys.client)).json()).toMatchObject({ status: 'APPROVED' });
    const [, forAdmin] = await pendingProof();
    expect((await decide(forAdmin, api.keys.admin)).json()).toMatchObject({ status: 'APPROVED' });
  });

  it('refuses an unknown proof (404) and a bad body (422)', async () => {
    const [, proofId] = await pendingProof();
    expectErrorEnvelope(await decide(randomUUID(), api.keys.support), 404, 'PROOF_NOT_FOUND');
    for (const body of [
      { decision: 'maybe' },
      { decision: 'APPROVE' },
      {},
      { decision: 'approve', note: 'x'.repeat(2001) },
      { decision: 'approve', extra: 1 },
      { decision: 'approve', note: 'a\u0000b' },
    ]) {
      const res = await decide(proofId, api.keys.client, body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 422 });
      expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
    }
    expect((await api.call('GET', `/proofs/${proofId}`, api.keys.client)).json().status).toBe(
      'PENDING',
    );
  });
});

describe('GET /proofs/files/{id}', () => {
  it('is readable by the escrow’s parties once the file backs a proof, not before, and never by others', async () => {
    const [escrowId] = await fundedWithMilestone(api);
    const file = await upload(api, await photo());
    const preview = (key: string) =>
      api.t.app.inject({
        method: 'GET',
        url: `/proofs/files/${file.file_id}`,
        headers: { 'x-api-key': key },
      });

    expect((await preview(api.keys.provider)).statusCode).toBe(200);
    expectErrorEnvelope(await preview(api.keys.client), 403, 'NOT_FILE_UPLOADER');
    expectErrorEnvelope(await preview(api.keys.stranger), 403, 'NOT_FILE_UPLOADER');

    expect(
      (await submitProof(api, { escrow_id: escrowId, file_id: file.file_id })).statusCode,
    ).toBe(201);

    const res = await preview(api.keys.client);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expectErrorEnvelope(await preview(api.keys.stranger), 403, 'NOT_FILE_UPLOADER');
    for (const key of [api.keys.support, api.keys.auditor, api.keys.admin])
      expect((await preview(key)).statusCode).toBe(200);
  });
});

describe('hostile input on POST /proofs', () => {
  let escrowId: string;
  let fileId: string;
  beforeAll(async () => {
    [escrowId] = await fundedWithMilestone(api);
    fileId = (await upload(api, await photo())).file_id;
  });

  const bigMetadata = (bytes: number) => ({ blob: 'x'.repeat(bytes) });

  // Each case on an escrow of its own, so that a body wrongly accepted cannot change the next answer.
  const bodies: [string, (escrowId: string) => Record<string, unknown>][] = [
    ['file_id and storage_url with sha256', (e) => claim(e, { file_id: fileId })],
    [
      'file_id and a lone sha256',
      (e) => ({
        escrow_id: e,
        milestone_idx: 1,
        type: 'PHOTO',
        file_id: fileId,
        sha256: freshSha(),
      }),
    ],
    ['neither file_id nor storage_url', (e) => ({ escrow_id: e, milestone_idx: 1, type: 'PHOTO' })],
    ['storage_url without sha256', (e) => claim(e, { sha256: undefined })],
    ['a sha256 that is not hex', (e) => claim(e, { sha256: 'z'.repeat(64) })],
    ['a sha256 of 63 characters', (e) => claim(e, { sha256: freshSha().slice(1) })],
    ['milestone_idx -1', (e) => claim(e, { milestone_idx: -1 })],
    ['milestone_idx 1e9', (e) => claim(e, { milestone_idx: 1e9 })],
    ['milestone_idx 1.5', (e) => claim(e, { milestone_idx: 1.5 })],
    ['milestone_idx as a string', (e) => claim(e, { milestone_idx: '1' })],
    ['milestone_idx with no milestone', (e) => claim(e, { milestone_idx: 7 })],
    ['metadata an array', (e) => claim(e, { metadata: [{ iban: 'x' }] })],
    ['metadata a string', (e) => claim(e, { metadata: 'x' })],
    ['a type of 51 characters', (e) => claim(e, { type: 'T'.repeat(51) })],
    ['an empty type', (e) => claim(e, { type: '' })],
    ['an unknown field', (e) => claim(e, { approved: true })],
    [
      'an unknown field ai_assessment at the top',
      (e) => claim(e, { ai_assessment: { risk_level: 'clean' } }),
    ],
    ['NUL in the type', (e) => claim(e, { type: 'PH\u0000OTO' })],
    [
      'NUL in the storage_url',
      (e) => claim(e, { storage_url: 'https://files.example/a\u0000b.pdf' }),
    ],
    ['NUL in a metadata value', (e) => claim(e, { metadata: { note: 'a\u0000b' } })],
    ['NUL in a metadata key', (e) => claim(e, { metadata: { ['a\u0000b']: 1 } })],
    ['a lone surrogate in the metadata', (e) => claim(e, { metadata: { note: '\ud800' } })],
    [
      'metadata nested too deep',
      (e) => claim(e, { metadata: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }),
    ],
    [
      'a storage_url of 1025 characters',
      (e) => claim(e, { storage_url: `https://f.example/${'a'.repeat(1007)}` }),
    ],
    ['an escrow_id that is not a UUID', () => claim('not-a-uuid')],
    ['an unknown escrow', () => claim(randomUUID())],
    [
      'an unknown file',
      (e) => ({ escrow_id: e, milestone_idx: 1, type: 'PHOTO', file_id: randomUUID() }),
    ],
    [
      'a 2 MB metadata object within the body limit',
      (e) => claim(e, { metadata: bigMetadata(2 * 1024 * 1024) }),
    ],
    [
      'a 5 MB metadata object above the body limit',
      (e) => claim(e, { metadata: bigMetadata(5 * 1024 * 1024) }),
    ],
  ];

  it.each(bodies)(
    'refuses %s with a 4xx in the envelope and stores nothing',
    async (_what, body) => {
      // A document milestone: the same body with ordinary metadata is stored (see the control below).
      const [fresh] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
      const before = await eventCount();
      const payload = body(fresh);
      const res = await api.call('POST', '/proofs', api.keys.provider, payload);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectErrorEnvelope(res, res.statusCode, res.json().error?.code);
      expect(await eventCount()).toBe(before);
      if (typeof payload.sha256 === 'string' && /^[0-9a-f]{64}$/.test(payload.sha256)) {
        expect(await shaReservation(api, payload.sha256)).toEqual({ status: 'free', events: 0 });
      }
    },
  );

  it('stores the same kind of body with ordinary metadata (the control of the cases above)', async () => {
    const [fresh] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const res = await api.call(
      'POST',
      '/proofs',
      api.keys.provider,
      claim(fresh, { metadata: { blob: 'x'.repeat(1024) } }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'PENDING', metadata: { blob: 'x'.repeat(1024) } });
  });

  it('answers the expected code for each kind of bad body', async () => {
    const code = async (body: Record<string, unknown>) => {
      const res = await api.call('POST', '/proofs', api.keys.provider, body);
      return `${res.statusCode} ${res.json().error?.code}`;
    };
    expect(await code(claim(escrowId, { file_id: fileId }))).toBe('422 VALIDATION_ERROR');
    expect(await code({ escrow_id: escrowId, milestone_idx: 1, type: 'PHOTO' })).toBe(
      '422 VALIDATION_ERROR',
    );
    expect(await code(claim(escrowId, { sha256: 'z'.repeat(64) }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { milestone_idx: -1 }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { milestone_idx: 1e9 }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { metadata: [] }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { type: 'T'.repeat(51) }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { approved: true }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { type: 'PH\u0000OTO' }))).toBe('422 VALIDATION_ERROR');
    expect(await code(claim(escrowId, { milestone_idx: 7 }))).toBe('404 MILESTONE_NOT_FOUND');
    expect(await code(claim(randomUUID()))).toBe('404 ESCROW_NOT_FOUND');
    expect(await code(claim(escrowId, { metadata: bigMetadata(5 * 1024 * 1024) }))).toBe(
      '413 PAYLOAD_TOO_LARGE',
    );
  });

  it('refuses malformed JSON and other content types', async () => {
    const raw = (payload: string, type: string) =>
      api.t.app.inject({
        method: 'POST',
        url: '/proofs',
        headers: { 'x-api-key': api.keys.provider, 'content-type': type },
        payload,
      });
    expectErrorEnvelope(await raw('{"escrow_id":', 'application/json'), 400, 'MALFORMED_JSON');
    expectErrorEnvelope(
      await raw('{"__proto__":{"x":1}}', 'application/json'),
      400,
      'MALFORMED_JSON',
    );
    expectErrorEnvelope(
      await raw('escrow_id=x', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });
});

describe('Idempotency-Key on POST /proofs', () => {
  it('answers the same proof for the same key and body, and appends nothing more', async () => {
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const body = claim(escrowId);
    const headers = { 'idempotency-key': `proof-${randomUUID()}` };
    const first = await submitProof(api, body, api.keys.provider, headers);
    expect(first.statusCode).toBe(201);
    const stream = `escrow-${escrowId}`;
    const events = await streamTypes(api, stream);
    const total = await eventCount();

    const again = await submitProof(api, body, api.keys.provider, headers);

    expect({ status: again.statusCode, body: again.json() }).toEqual({
      status: 201,
      body: first.json(),
    });
    expect(await streamTypes(api, stream)).toEqual(events);
    expect(await eventCount()).toBe(total);
  });

  it("answers a repeat with the first answer even after the proof was reviewed since (not today's status)", async () => {
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const headers = { 'idempotency-key': `proof-${randomUUID()}` };
    const body = claim(escrowId);
    const first = await submitProof(api, body, api.keys.provider, headers);
    expect(first.statusCode).toBe(201);
    expect(first.json().status).toBe('PENDING');
    const decided = await api.call('POST', `/proofs/${first.json().id}/decision`, api.keys.client, {
      decision: 'approve',
      note: 'looks right',
    });
    expect(decided.statusCode).toBe(200);
    expect(decided.json().status).toBe('APPROVED');
    const again = await submitProof(api, body, api.keys.provider, headers);
    expect({ status: again.statusCode, body: again.json() }).toEqual({
      status: 201,
      body: first.json(),
    });
    // Today's state is one GET away.
    expect(
      (await api.call('GET', `/proofs/${first.json().id}`, api.keys.provider)).json(),
    ).toMatchObject({ status: 'APPROVED', decision_note: 'looks right' });
  });

  it('answers a repeated decision under the same key as its first answer, review included (review finding)', async () => {
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const submitted = await submitProof(api, claim(escrowId), api.keys.provider);
    expect(submitted.statusCode).toBe(201);
    const headers = { 'idempotency-key': `decision-${randomUUID()}` };
    const body = { decision: 'approve', note: 'looks right' };
    const first = await api.call(
      'POST',
      `/proofs/${submitted.json().id}/decision`,
      api.keys.client,
      body,
      headers,
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'APPROVED',
      decision_note: 'looks right',
      ai_reviewed_by: expect.any(String),
    });
    const again = await api.call(
      'POST',
      `/proofs/${submitted.json().id}/decision`,
      api.keys.client,
      body,
      headers,
    );
    expect({ status: again.statusCode, body: again.json() }).toEqual({
      status: 200,
      body: first.json(),
    });
  });

  it.each([
    ['on the same escrow', false],
    ['on another escrow', true],
  ])(
    'refuses the same key with another body %s (422 IDEMPOTENCY_KEY_REUSED) and stores nothing',
    async (_where, otherEscrow) => {
      const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
      const [secondId] = otherEscrow
        ? await fundedWithMilestone(api, { proofKind: 'INVOICE' })
        : [escrowId];
      const headers = { 'idempotency-key': `proof-${randomUUID()}` };
      expect((await submitProof(api, claim(escrowId), api.keys.provider, headers)).statusCode).toBe(
        201,
      );
      const total = await eventCount();

      expectErrorEnvelope(
        await submitProof(api, claim(secondId), api.keys.provider, headers),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );

      expect(await eventCount()).toBe(total);
    },
  );

  it('does not use up a key on a request refused with a 4xx', async () => {
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const headers = { 'idempotency-key': `proof-${randomUUID()}` };
    expectErrorEnvelope(
      await submitProof(
        api,
        claim(escrowId, { metadata: { currency: 'dollars' } }),
        api.keys.provider,
        headers,
      ),
      422,
      'INVOICE_NORMALIZATION_ERROR',
    );
    const res = await submitProof(api, claim(escrowId), api.keys.provider, headers);
    expect(res.statusCode).toBe(201);
  });
});
