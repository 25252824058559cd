/**
 * The Kobatela web frontend's core flows (FRONTEND-CONTRACT.md), over HTTP against the real
 * service, as the frontend makes its calls: users log in by email, the sender creates, funds and
 * follows an escrow, the provider finds it in its inbox and uploads a photo and a PDF and submits
 * them, support reviews from the queue and executes the payout, and the sender sees the
 * payment settle. Each answer is checked for the fields the contract says the frontend reads;
 * each cross-role call the contract forbids, for its 403 or 404.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KINSHASA } from '../support/proof-api';
import { makePhoto } from '../support/photos';
import { minimalPdf } from '../support/pdfs';
import { multipart } from '../proof-files/multipart';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { withPspMode } from '../support/escrow-api-extra';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const MONEY = /^\d+\.\d+$/;

/** The fields of an object the contract says the frontend reads, each of the type it expects. */
function expectFields(o: Record<string, unknown>, fields: Record<string, RegExp | string>): void {
  for (const [field, kind] of Object.entries(fields)) {
    expect({ field, present: field in o }).toEqual({ field, present: true });
    const v = o[field];
    if (kind instanceof RegExp)
      expect({ field, v }).toEqual({ field, v: expect.stringMatching(kind) });
    else if (kind === 'number|null') expect(v === null || typeof v === 'number').toBe(true);
    else if (kind === 'string|null') expect(v === null || typeof v === 'string').toBe(true);
    else
      expect({ field, type: Array.isArray(v) ? 'array' : typeof v }).toEqual({ field, type: kind });
  }
}

const ESCROW_READ = {
  id: UUID,
  status: 'string',
  amount_total: MONEY,
  currency: 'string',
  created_at: ISO,
  deadline_at: ISO,
  payment_mode: /^MILESTONE$/,
  provider_user_id: 'number',
  sender_user_id: 'number',
  provider_id: UUID,
} as const;

describe('the frontend core flows', () => {
  let api: EscrowApi;
  const people = {} as Record<
    'sender' | 'provider' | 'stranger' | 'support',
    {
      id: string;
      email: string;
      number: number;
      token: string;
    }
  >;
  let escrowId: string;
  let milestoneIds: string[];
  let photoProofId: string;
  let pdfProofId: string;

  const as = (who: keyof typeof people) => people[who].token;
  /** The answer's body, once its status is the one expected (else the body in the failure). */
  const expectStatus = (url: string, res: { statusCode: number; body: string }, status: number) =>
    expect({
      url,
      status: res.statusCode,
      body: res.statusCode === status ? '' : res.body,
    }).toEqual({
      url,
      status,
      body: '',
    });
  const get = async (url: string, key: string, status = 200) => {
    const res = await api.call('GET', url, key);
    expectStatus(url, res, status);
    return res.json();
  };
  const post = async (url: string, key: string, body: unknown, status = 200, headers = {}) => {
    const res = await api.call('POST', url, key, body, headers);
    expectStatus(url, res, status);
    return res.json();
  };
  /** `POST /files/proofs` as the frontend sends it: the file first, then `escrow_id`. */
  const uploadFile = (
    key: string,
    bytes: Buffer,
    filename: string,
    mime: string,
    escrow?: string,
  ) => {
    const { payload, headers } = multipart([
      { name: 'file', filename, contentType: mime, body: bytes },
      ...(escrow ? [{ name: 'escrow_id', body: escrow }] : []),
    ]);
    return api.t.app.inject({
      method: 'POST',
      url: '/files/proofs',
      headers: { authorization: `Bearer ${key}`, 'x-api-key': key, ...headers },
      payload,
    });
  };

  beforeAll(async () => {
    api = await startEscrowApi({ AUTH_EMAIL_LOGIN: 'true' });
    for (const who of ['sender', 'provider', 'stranger', 'support'] as const) {
      const name = `${who}-${randomBytes(4).toString('hex')}`;
      const email = `${name}@example.org`;
      const user = await post(
        '/users',
        api.keys.admin,
        { username: name, email, ...(who === 'support' ? { role: 'support' } : {}) },
        201,
      );
      // The login page: POST /auth/login, then GET /auth/me with the token it stored.
      const login = await post('/auth/login', '', { email });
      expectFields(login, { token: 'string', access_token: 'string', expires_at: ISO });
      people[who] = { id: user.id, email, number: user.number, token: login.token };
    }
  });
  afterAll(() => api.close());

  it('login: GET /auth/me routes each role (scopes) and names the user', async () => {
    const me = (await get('/auth/me', as('sender'))).user;
    expect(me).toMatchObject({
      id: people.sender.id,
      number: people.sender.number,
      email: people.sender.email,
      role: 'user',
      scopes: ['SENDER', 'PROVIDER'],
      is_active: true,
    });
    expect((await get('/auth/me', as('support'))).user).toMatchObject({ scopes: ['SUPPORT'] });
    expect((await get('/auth/me', api.keys.admin)).user).toMatchObject({ scopes: ['ADMIN'] });
  });

  it('sender: creates an escrow for the provider by number, with kind-less and document milestones', async () => {
    const created = await post(
      '/escrows',
      as('sender'),
      {
        amount_total: '100.00',
        currency: 'USD',
        deadline_at: new Date(Date.now() + 14 * 86_400_000).toISOString(),
        release_conditions: {},
        payment_mode: 'MILESTONE',
        provider_user_id: people.provider.number,
      },
      201,
    );
    expectFields(created, ESCROW_READ);
    expect(created).toMatchObject({
      status: 'DRAFT',
      client_id: people.sender.id,
      provider_id: people.provider.id,
      provider_user_id: people.provider.number,
      sender_user_id: people.sender.number,
    });
    escrowId = created.id;
    const m1 = await post(
      `/escrows/${escrowId}/milestones`,
      as('sender'),
      { label: 'Fondations', amount: '60.00', currency: 'USD', sequence_index: 1 },
      201,
    );
    expect(m1.proof_kind).toBeNull();
    const m2 = await post(
      `/escrows/${escrowId}/milestones`,
      as('sender'),
      {
        label: 'Toiture',
        amount: '40.00',
        currency: 'USD',
        sequence_index: 2,
        proof_kind: 'document',
      },
      201,
    );
    expect(m2.proof_kind).toBe('DOCUMENT');
    milestoneIds = [m1.id, m2.id];
    const listed = await get(`/escrows/${escrowId}/milestones`, as('sender'));
    expect(listed.map((m: { label: string }) => m.label)).toEqual(['Fondations', 'Toiture']);
  });

  it('sender: the summary offers funding, the deposit funds, the lists show the escrow', async () => {
    const summary = await get(`/escrows/${escrowId}/summary`, as('sender'));
    for (const key of ['escrow', 'milestones', 'proofs', 'payments', 'viewer_context'])
      expect(summary).toHaveProperty(key);
    expectFields(summary.escrow, ESCROW_READ);
    expect(summary.escrow.provider_user).toMatchObject({ id: people.provider.number });
    expect(summary.viewer_context).toMatchObject({
      relation: 'SENDER',
      is_sender: true,
      is_provider: false,
      is_participant: true,
      viewer_user_id: people.sender.id,
    });
    expect(summary.viewer_context.allowed_actions).toContain('FUND_ESCROW');
    expect(summary.current_submittable_milestone_idx).toBe(1);
    // The funding page: Idempotency-Key kept for the page's life, the whole amount.
    const key = randomUUID();
    const funded = await post(
      `/escrows/${escrowId}/deposit`,
      as('sender'),
      { amount: '100.00' },
      200,
      {
        'idempotency-key': key,
      },
    );
    expect(funded.status).toBe('FUNDED');
    const replay = await post(
      `/escrows/${escrowId}/deposit`,
      as('sender'),
      { amount: '100.00' },
      200,
      {
        'idempotency-key': key,
      },
    );
    expect(replay.deposit.id).toBe(funded.deposit.id);
    const after = await get(`/escrows/${escrowId}/summary`, as('sender'));
    expect(after.viewer_context.allowed_actions).not.toContain('FUND_ESCROW');
    const mine = await get('/escrows?mine=true&limit=20&offset=0', as('sender'));
    expect(Array.isArray(mine)).toBe(true);
    expectFields(mine[0], ESCROW_READ);
    expect(mine.map((e: { id: string }) => e.id)).toContain(escrowId);
    const card = await get(
      `/escrows?mine=true&sender_id=${people.sender.id}&limit=5&offset=0`,
      as('sender'),
    );
    expect(card.map((e: { id: string }) => e.id)).toContain(escrowId);
    const dashboard = await get('/sender/dashboard?limit=5', as('sender'));
    expect(dashboard.recent_escrows.map((e: { id: string }) => e.id)).toContain(escrowId);
    for (const key of ['pending_proofs', 'recent_payments'])
      expect(Array.isArray(dashboard[key])).toBe(true);
  });

  it('provider: the inbox lists the escrow with the milestone due and the kinds it takes', async () => {
    const inbox = await get('/provider/inbox/escrows?limit=20&offset=0', as('provider'));
    expectFields(inbox, { items: 'array', total: 'number' });
    const item = inbox.items.find((i: { escrow_id: string }) => i.escrow_id === escrowId);
    expectFields(item, {
      escrow_id: UUID,
      escrow_status: 'string',
      sender_display: 'string',
      amount_total: MONEY,
      currency: 'string',
      deadline_at: ISO,
      current_submittable_milestone_idx: 'number',
      required_proof_kinds: 'array',
      last_update_at: ISO,
    });
    expect(item).toMatchObject({
      escrow_status: 'FUNDED',
      required_proof_kinds: ['PHOTO', 'DOCUMENT'],
    });
    const stranger = await get('/provider/inbox/escrows?limit=20&offset=0', as('stranger'));
    expect(stranger.items.map((i: { escrow_id: string }) => i.escrow_id)).not.toContain(escrowId);
    const summary = await get(`/escrows/${escrowId}/summary`, as('provider'));
    expect(summary.viewer_context.relation).toBe('PROVIDER');
    expect(summary.viewer_context.allowed_actions).toEqual(
      expect.arrayContaining(['SUBMIT_PROOF', 'UPLOAD_PROOF_FILE']),
    );
  });

  it('provider: uploads a photo and a PDF bound to the escrow and submits them', async () => {
    const photo = await makePhoto({ scene: 9101, gps: KINSHASA, gpsTime: new Date() });
    const photoUpload = await uploadFile(
      as('provider'),
      photo,
      'chantier.jpg',
      'image/jpeg',
      escrowId,
    );
    expect(photoUpload.statusCode).toBe(201);
    const up = photoUpload.json();
    expectFields(up, { storage_key: 'string', storage_url: 'string', sha256: 'string' });
    expect(up).toMatchObject({
      storage_key: up.file_id,
      content_type: 'image/jpeg',
      escrow_id: escrowId,
    });
    const photoProof = await post(
      '/proofs',
      as('provider'),
      {
        escrow_id: escrowId,
        milestone_idx: 1,
        type: 'PHOTO',
        storage_key: up.storage_key,
        storage_url: up.storage_url,
        sha256: up.sha256,
      },
      201,
    );
    expect(photoProof).toMatchObject({
      proof_id: photoProof.id,
      escrow_id: escrowId,
      milestone_id: milestoneIds[0],
    });
    expect(['PENDING', 'APPROVED']).toContain(photoProof.status);
    photoProofId = photoProof.id;
    // The photo of a clean, geotagged, fresh picture is approved and paid at once; the PDF then.
    const pdf = minimalPdf(`Reception des travaux ${randomUUID()}`);
    const pdfUpload = (
      await uploadFile(as('provider'), pdf, 'pv.pdf', 'application/pdf', escrowId)
    ).json();
    expect(pdfUpload.content_type).toBe('application/pdf');
    const submitted = await post(
      '/proofs',
      as('provider'),
      {
        escrow_id: escrowId,
        milestone_idx: photoProof.status === 'APPROVED' ? 2 : 1,
        type: 'DOCUMENT',
        storage_key: pdfUpload.storage_key,
        storage_url: pdfUpload.storage_url,
        sha256: pdfUpload.sha256,
        metadata: { note: 'procès-verbal' },
      },
      201,
    );
    expect(submitted).toMatchObject({ status: 'PENDING', storage_key: pdfUpload.storage_key });
    pdfProofId = submitted.id;
    const polled = await get(`/proofs/${pdfProofId}`, as('provider'));
    expect(polled).toMatchObject({ proof_id: pdfProofId, status: 'PENDING' });
    expectFields(polled, { storage_url: 'string', storage_key: 'string' });
    const summary = await get(`/escrows/${escrowId}/summary`, as('sender'));
    expect(summary.proofs.map((p: { id: string }) => p.id)).toEqual([photoProofId, pdfProofId]);
    expect(summary.viewer_context.allowed_actions).toContain('DECIDE_PROOF');
  });

  it('support: reviews from the queue and executes the payout; the sender sees it settle', async () => {
    const queue = await get('/admin/proofs/review-queue?limit=20&offset=0', as('support'));
    const item = queue.items.find((p: { proof_id: string }) => p.proof_id === pdfProofId);
    expectFields(item, {
      proof_id: UUID,
      escrow_id: UUID,
      milestone_id: UUID,
      type: 'string',
      status: 'string',
      created_at: ISO,
      payout_blocked_reasons: 'array',
    });
    expect(item).toMatchObject({ status: 'PENDING', advisor: null, payout_eligible: null });
    const counted = await get('/admin/proofs/review-queue?status=PENDING&limit=1', as('support'));
    expect(counted.total).toBeGreaterThanOrEqual(1);
    // The PSP does not answer the payout the approval starts: it stays PENDING, and support
    // executes it from the payment page (the frontend's "Execute payout" button).
    const decided = await withPspMode(api, 'timeout', () =>
      post(`/proofs/${pdfProofId}/decision`, as('support'), {
        decision: 'approve',
        comment: 'procès-verbal conforme',
      }),
    );
    expect(decided).toMatchObject({ proof_id: pdfProofId, status: 'APPROVED' });
    const gone = await get('/admin/proofs/review-queue?limit=200&offset=0', as('support'));
    expect(gone.items.map((p: { proof_id: string }) => p.proof_id)).not.toContain(pdfProofId);

    const payments = (await get(`/admin/payments?escrow_id=${escrowId}&limit=200`, as('support')))
      .items;
    const payout = payments.find(
      (p: { milestone_id: string | null }) => p.milestone_id === decided.milestone_id,
    );
    const page = await get(
      `/admin/payments?limit=100&offset=0&payment_id=${payout.id}&id=${payout.id}`,
      as('support'),
    );
    expect(page.items).toHaveLength(1);
    expectFields(page.items[0], {
      id: UUID,
      escrow_id: UUID,
      milestone_id: UUID,
      amount: MONEY,
      status: 'string',
      created_at: ISO,
    });
    expect(page.items[0].status).toBe('PENDING');
    expectErrorEnvelope(
      await api.call('POST', `/payments/execute/${payout.id}`, as('sender')),
      403,
      'INSUFFICIENT_SCOPE',
    );
    const executed = await post(`/payments/execute/${payout.id}`, as('support'), undefined);
    expect(executed).toMatchObject({ id: payout.id, status: 'SENT' });
    const settled = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: executed.psp_ref,
    });
    expect(settled.statusCode).toBe(200);
    const seen = await get(`/escrows/${escrowId}/summary`, as('sender'));
    const paid = seen.payments.find((p: { id: string }) => p.id === payout.id);
    expect(paid).toMatchObject({ status: 'SETTLED' });
    expectFields(paid, { amount: MONEY, status: 'string', created_at: ISO });
    const dashboard = await get('/sender/dashboard?limit=5', as('sender'));
    expect(dashboard.recent_payments.map((p: { id: string }) => p.id)).toContain(payout.id);
    const admin = await get('/admin/payments?limit=1', api.keys.admin);
    expect(admin.total).toBeGreaterThanOrEqual(1);
  });

  it('refuses each cross-role call the contract forbids', async () => {
    const escrow = `/escrows/${escrowId}`;
    expectErrorEnvelope(
      await api.call('GET', `${escrow}/summary`, as('stranger')),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await api.call(
        'POST',
        `${escrow}/deposit`,
        as('support'),
        { amount: '1.00' },
        {
          'idempotency-key': randomUUID(),
        },
      ),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectErrorEnvelope(
      await api.call(
        'POST',
        `${escrow}/deposit`,
        as('provider'),
        { amount: '1.00' },
        {
          'idempotency-key': randomUUID(),
        },
      ),
      403,
      'NOT_ESCROW_CLIENT',
    );
    for (const url of ['/admin/proofs/review-queue', '/admin/payments?limit=1']) {
      expectErrorEnvelope(await api.call('GET', url, as('sender')), 403, 'INSUFFICIENT_SCOPE');
    }
    expectErrorEnvelope(
      await api.call('POST', `/proofs/${pdfProofId}/decision`, as('stranger'), {
        decision: 'reject',
      }),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await api.call('POST', `/proofs/${pdfProofId}/decision`, as('provider'), {
        decision: 'reject',
      }),
      403,
      'NOT_ESCROW_CLIENT',
    );
    expectErrorEnvelope(
      await api.call('GET', `/proofs/${pdfProofId}`, as('stranger')),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await api.call('POST', '/escrows', as('support'), {
        amount_total: '1.00',
        currency: 'USD',
        deadline_at: '2099-01-01T00:00:00Z',
        release_conditions: {},
        provider_user_id: people.provider.number,
      }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectErrorEnvelope(
      await api.call('GET', `/escrows?mine=true&sender_id=${people.provider.id}`, as('sender')),
      403,
      'NOT_OWNER',
    );
    expectErrorEnvelope(
      await api.call('GET', '/sender/dashboard', as('support')),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectErrorEnvelope(
      await api.call('GET', '/provider/inbox/escrows', api.keys.admin),
      403,
      'KEY_HAS_NO_USER',
    );
    const stranger = await uploadFile(
      as('stranger'),
      minimalPdf('x'),
      'x.pdf',
      'application/pdf',
      escrowId,
    );
    expectErrorEnvelope(stranger, 403, 'NOT_ESCROW_PARTY');
    expectErrorEnvelope(
      await uploadFile(as('provider'), minimalPdf('y'), 'y.pdf', 'application/pdf', randomUUID()),
      404,
      'ESCROW_NOT_FOUND',
    );
    expectErrorEnvelope(
      await api.call('POST', '/escrows', as('sender'), {
        amount_total: '1.00',
        currency: 'USD',
        deadline_at: '2099-01-01T00:00:00Z',
        release_conditions: {},
        provider_user_id: 999_999,
      }),
      404,
      'USER_NOT_FOUND',
    );
  });
});
