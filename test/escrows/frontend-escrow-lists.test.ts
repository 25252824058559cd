/**
 * The web frontend's lists of a sender's escrows, over HTTP against the real service
 * (FRONTEND-CONTRACT.md §4.1, §4.2, §5.1): `GET /escrows?mine=true` (the client's escrows, newest
 * first, as a bare array; `sender_id` only the caller's own; `status=ACTIVE` empty, A5), the
 * sender dashboard (its escrows, pending proofs and payments as client, newest first, at most
 * `limit` each) and the provider inbox (the escrows it provides, latest update first, with the
 * milestone a proof is for now). Each test has senders of its own, so lists hold exactly what it
 * made; each checks the refusals of the other roles.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { submitProof } from '../support/proof-api';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi({ SCHEDULER_ENABLED: 'false' });
});
afterAll(() => api.close());

interface Sender {
  id: string;
  key: string;
  username: string;
}

/** A new user with a sender key. */
async function sender(name: string): Promise<Sender> {
  const username = `${name}-${randomBytes(4).toString('hex')}`;
  const user = await api.call('POST', '/users', api.keys.admin, {
    username,
    email: `${username}@example.org`,
  });
  const key = await api.call('POST', '/apikeys', api.keys.admin, {
    name,
    scope: 'sender',
    user_id: user.json().id,
  });
  return { id: user.json().id, key: key.json().key, username };
}

/** A DRAFT escrow of `client` for `provider`, created with the client's key. */
async function escrowOf(
  client: Sender,
  provider: Sender,
  over: Record<string, unknown> = {},
): Promise<string> {
  const res = await api.call('POST', '/escrows', client.key, {
    client_id: client.id,
    provider_id: provider.id,
    amount_total: '100.00',
    currency: 'USD',
    release_conditions: {},
    deadline_at: '2099-12-31T00:00:00Z',
    ...over,
  });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

async function milestoneOf(
  client: Sender,
  escrowId: string,
  index: number,
  amount: string,
  kind: string,
) {
  const res = await api.call('POST', `/escrows/${escrowId}/milestones`, client.key, {
    label: `Step ${index}`,
    amount,
    currency: 'USD',
    sequence_index: index,
    proof_kind: kind,
  });
  if (res.statusCode !== 201) throw new Error(`milestone: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

async function depositOf(client: Sender, escrowId: string, amount: string) {
  const res = await api.call(
    'POST',
    `/escrows/${escrowId}/deposit`,
    client.key,
    { amount },
    { 'idempotency-key': randomUUID() },
  );
  if (res.statusCode !== 200) throw new Error(`deposit: ${res.statusCode} ${res.body}`);
}

/** An invoice claim (a URL and a hash, no upload): it always waits for review (PENDING). */
async function pendingProof(provider: Sender, escrowId: string): Promise<string> {
  const res = await submitProof(
    api,
    {
      escrow_id: escrowId,
      type: 'INVOICE',
      storage_url: `https://files.example/proofs/${randomUUID()}.pdf`,
      sha256: createHash('sha256').update(randomUUID()).digest('hex'),
    },
    provider.key,
  );
  if (res.statusCode !== 201 || res.json().status !== 'PENDING')
    throw new Error(`proof: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

const idsOf = (items: { id: string }[]) => items.map((i) => i.id);

describe('GET /escrows?mine=true (§4.1)', () => {
  it("lists the caller's escrows as client, newest first, as a bare array", async () => {
    const client = await sender('mine-client');
    const provider = await sender('mine-provider');
    const e1 = await escrowOf(client, provider);
    const e2 = await escrowOf(client, provider);
    const e3 = await escrowOf(client, provider);
    // The client is the provider here: not one of "mine".
    const reversed = await escrowOf(provider, client);

    const all = await api.call('GET', '/escrows?mine=true&limit=20&offset=0', client.key);
    expect(all.statusCode).toBe(200);
    expect(Array.isArray(all.json())).toBe(true);
    expect(idsOf(all.json())).toEqual([e3, e2, e1]);
    expect(all.json()[0]).toMatchObject({
      id: e3,
      client_id: client.id,
      provider_id: provider.id,
      status: 'DRAFT',
      amount_total: '100.00',
      currency: 'USD',
      deadline_at: '2099-12-31T00:00:00.000Z',
    });
    const page = await api.call('GET', '/escrows?mine=true&limit=1&offset=1', client.key);
    expect(idsOf(page.json())).toEqual([e2]);
    const own = await api.call(
      'GET',
      `/escrows?mine=true&limit=5&sender_id=${client.id}`,
      client.key,
    );
    expect(idsOf(own.json())).toEqual([e3, e2, e1]);
    expect(
      idsOf((await api.call('GET', '/escrows?mine=true&status=DRAFT', client.key)).json()),
    ).toEqual([e3, e2, e1]);
    // The provider of e1…e3 is the client of none of them.
    const providers = await api.call('GET', '/escrows?mine=true&limit=20', provider.key);
    expect(idsOf(providers.json())).toEqual([reversed]);
    // Without mine: today's envelope, oldest first.
    const envelope = (await api.call('GET', `/escrows?client_id=${client.id}`, client.key)).json();
    expect(envelope).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(idsOf(envelope.items)).toEqual([e1, e2, e3]);
  });

  it('answers status=ACTIVE with an empty list, not 422 (A5)', async () => {
    const client = await sender('active-client');
    const provider = await sender('active-provider');
    await escrowOf(client, provider);
    const mine = await api.call('GET', '/escrows?mine=true&status=ACTIVE', client.key);
    expect({ status: mine.statusCode, body: mine.json() }).toEqual({ status: 200, body: [] });
    const envelope = await api.call('GET', '/escrows?status=ACTIVE', api.keys.support);
    expect(envelope.json()).toEqual({ items: [], total: 0, limit: 50, offset: 0 });
    expectErrorEnvelope(
      await api.call('GET', '/escrows?status=OPEN', client.key),
      422,
      'VALIDATION_ERROR',
    );
  });

  it('refuses another sender_id, a key without a user and bad values', async () => {
    const client = await sender('refused-client');
    const other = await sender('refused-other');
    expectErrorEnvelope(
      await api.call('GET', `/escrows?mine=true&sender_id=${other.id}`, client.key),
      403,
      'NOT_OWNER',
    );
    expectErrorEnvelope(
      await api.call('GET', `/escrows?sender_id=${other.id}`, client.key),
      403,
      'NOT_OWNER',
    );
    for (const key of [api.keys.support, api.keys.auditor, api.keys.admin])
      expectErrorEnvelope(await api.call('GET', '/escrows?mine=true', key), 403, 'KEY_HAS_NO_USER');
    // Staff may filter by any client.
    const theirs = await escrowOf(other, client);
    const bySender = await api.call('GET', `/escrows?sender_id=${other.id}`, api.keys.support);
    expect(idsOf(bySender.json().items)).toEqual([theirs]);
    expectErrorEnvelope(
      await api.call('GET', '/escrows?mine=yes', client.key),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await api.call('GET', '/escrows?mine=true&sender_id=42', client.key),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await api.call('GET', '/escrows?mine=true&limit=201', client.key),
      422,
      'VALIDATION_ERROR',
    );
  });
});

describe('GET /sender/dashboard (§4.2)', () => {
  it("shows the client's escrows, pending proofs and payments, newest first, at most limit each", async () => {
    const client = await sender('dash-client');
    const provider = await sender('dash-provider');
    // Paid out: a payout of 40.00.
    const paid = await escrowOf(client, provider, { amount_total: '40.00' });
    const m = await milestoneOf(client, paid, 1, '40.00', 'PHOTO');
    await depositOf(client, paid, '40.00');
    expect((await api.release(m, client.key)).statusCode).toBe(200);
    // Rejected while DRAFT: a refund of 30.00, the newer payment.
    const cancelled = await escrowOf(client, provider);
    await depositOf(client, cancelled, '30.00');
    const rejected = await api.call('POST', `/escrows/${cancelled}/client-reject`, client.key, {});
    expect(rejected.json()).toMatchObject({ status: 'CANCELLED' });
    // Funded with an invoice in review: the pending proof.
    const reviewing = await escrowOf(client, provider, { amount_total: '50.00' });
    await milestoneOf(client, reviewing, 1, '50.00', 'INVOICE');
    await depositOf(client, reviewing, '50.00');
    const proof = await pendingProof(provider, reviewing);
    // The client as provider of someone else's escrow, with a pending proof: not on its dashboard.
    const foreign = await escrowOf(provider, client, { amount_total: '20.00' });
    await milestoneOf(provider, foreign, 1, '20.00', 'INVOICE');
    await depositOf(provider, foreign, '20.00');
    await pendingProof(client, foreign);

    const res = await api.call('GET', '/sender/dashboard?limit=5&include_actions=true', client.key);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual([
      'pending_proofs',
      'recent_escrows',
      'recent_payments',
    ]);
    expect(idsOf(body.recent_escrows)).toEqual([reviewing, cancelled, paid]);
    expect(body.recent_escrows[0]).toMatchObject({ status: 'FUNDED', amount_total: '50.00' });
    expect(body.pending_proofs).toHaveLength(1);
    expect(body.pending_proofs[0]).toMatchObject({
      id: proof,
      escrow_id: reviewing,
      status: 'PENDING',
    });
    expect(
      body.recent_payments.map((p: Record<string, string>) => [p.escrow_id, p.kind, p.amount]),
    ).toEqual([
      [cancelled, 'refund', '30.00'],
      [paid, 'payout', '40.00'],
    ]);

    const one = (await api.call('GET', '/sender/dashboard?limit=1', client.key)).json();
    expect(idsOf(one.recent_escrows)).toEqual([reviewing]);
    expect(idsOf(one.pending_proofs)).toEqual([proof]);
    expect(one.recent_payments.map((p: { escrow_id: string }) => p.escrow_id)).toEqual([cancelled]);
    // Without limit: the page's five.
    expect(
      (await api.call('GET', '/sender/dashboard', client.key)).json().recent_escrows,
    ).toHaveLength(3);

    // The provider's own dashboard holds its escrow as client only.
    const theirs = (await api.call('GET', '/sender/dashboard', provider.key)).json();
    expect(idsOf(theirs.recent_escrows)).toEqual([foreign]);
    expect(theirs.pending_proofs.map((p: { escrow_id: string }) => p.escrow_id)).toEqual([foreign]);
    expect(theirs.recent_payments).toEqual([]);
  });

  it('refuses staff scopes, a key without a user and bad values', async () => {
    const client = await sender('dash-refused');
    for (const key of [api.keys.support, api.keys.auditor])
      expectErrorEnvelope(
        await api.call('GET', '/sender/dashboard', key),
        403,
        'INSUFFICIENT_SCOPE',
      );
    expectErrorEnvelope(
      await api.call('GET', '/sender/dashboard', api.keys.admin),
      403,
      'KEY_HAS_NO_USER',
    );
    for (const query of ['limit=0', 'limit=201', 'limit=five', 'offset=1'])
      expectErrorEnvelope(
        await api.call('GET', `/sender/dashboard?${query}`, client.key),
        422,
        'VALIDATION_ERROR',
      );
    // include_actions: accepted whatever it holds, and ignored (§4.2).
    for (const query of ['include_actions=maybe', 'include_actions=1', 'include_actions=']) {
      expect((await api.call('GET', `/sender/dashboard?${query}`, client.key)).statusCode).toBe(
        200,
      );
    }
    expect((await api.call('GET', '/sender/dashboard', client.key)).json()).toEqual({
      recent_escrows: [],
      pending_proofs: [],
      recent_payments: [],
    });
  });
});

describe('GET /provider/inbox/escrows (§5.1)', () => {
  const ITEM_KEYS = [
    'amount_total',
    'currency',
    'current_submittable_milestone_idx',
    'deadline_at',
    'escrow_id',
    'escrow_status',
    'last_update_at',
    'required_proof_kinds',
    'sender_display',
  ];

  it('lists the escrows the caller provides, latest update first, with the milestone due', async () => {
    const client = await sender('inbox-client');
    const provider = await sender('inbox-provider');
    // No milestone: nothing to submit.
    const bare = await escrowOf(client, provider, { amount_total: '10.00' });
    // First milestone paid: the second (PHOTO) is due.
    const second = await escrowOf(client, provider, { amount_total: '100.00' });
    const m1 = await milestoneOf(client, second, 1, '40.00', 'PHOTO');
    await milestoneOf(client, second, 2, '60.00', 'PHOTO');
    await depositOf(client, second, '100.00');
    expect((await api.release(m1, client.key)).statusCode).toBe(200);
    // An invoice milestone in review.
    const invoice = await escrowOf(client, provider, { amount_total: '50.00', currency: 'EUR' });
    await api.call('POST', `/escrows/${invoice}/milestones`, client.key, {
      label: 'Invoice',
      amount: '50.00',
      currency: 'EUR',
      sequence_index: 1,
      proof_kind: 'INVOICE',
    });
    await depositOf(client, invoice, '50.00');
    await pendingProof(provider, invoice);
    // Closed: nothing due, whatever its milestones.
    const closed = await escrowOf(client, provider);
    await milestoneOf(client, closed, 1, '100.00', 'PHOTO');
    await api.call('POST', `/escrows/${closed}/client-reject`, client.key, {});
    // The provider as client elsewhere: not in its inbox.
    await escrowOf(provider, client);
    // Touched last: the bare escrow gets a deposit, so it is the latest update.
    await depositOf(client, bare, '5.00');

    const res = await api.call('GET', '/provider/inbox/escrows?limit=20&offset=0', provider.key);
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ total: 4, limit: 20, offset: 0 });
    for (const item of page.items) expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
    const byId = Object.fromEntries(page.items.map((i: { escrow_id: string }) => [i.escrow_id, i]));
    expect(page.items[0].escrow_id).toBe(bare);
    const times = page.items.map((i: { last_update_at: string }) => i.last_update_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(byId[bare]).toMatchObject({
      escrow_status: 'DRAFT',
      sender_display: client.username,
      amount_total: '10.00',
      currency: 'USD',
      deadline_at: '2099-12-31T00:00:00.000Z',
      current_submittable_milestone_idx: null,
      required_proof_kinds: [],
    });
    expect(byId[second]).toMatchObject({
      escrow_status: 'FUNDED',
      current_submittable_milestone_idx: 2,
      required_proof_kinds: ['PHOTO'],
    });
    expect(byId[invoice]).toMatchObject({
      escrow_status: 'FUNDED',
      amount_total: '50.00',
      currency: 'EUR',
      current_submittable_milestone_idx: 1,
      required_proof_kinds: ['INVOICE'],
    });
    expect(byId[closed]).toMatchObject({
      escrow_status: 'CANCELLED',
      current_submittable_milestone_idx: null,
      required_proof_kinds: [],
    });
    // The same milestone as the summary names.
    const summary = await api.summary(second, provider.key);
    expect(summary.current_submittable_milestone_idx).toBe(2);

    const paged = (
      await api.call('GET', '/provider/inbox/escrows?limit=2&offset=1', provider.key)
    ).json();
    expect(paged).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(paged.items.map((i: { escrow_id: string }) => i.escrow_id)).toEqual(
      page.items.slice(1, 3).map((i: { escrow_id: string }) => i.escrow_id),
    );
    // The client sees its own escrows as client nowhere here: only the one it provides.
    const clients = (await api.call('GET', '/provider/inbox/escrows', client.key)).json();
    expect(clients.total).toBe(1);
    expect(clients.items[0].sender_display).toBe(provider.username);
  });

  it('refuses staff scopes, a key without a user and bad pages; a stranger sees nothing', async () => {
    const stranger = await sender('inbox-stranger');
    expect((await api.call('GET', '/provider/inbox/escrows', stranger.key)).json()).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });
    for (const key of [api.keys.support, api.keys.auditor])
      expectErrorEnvelope(
        await api.call('GET', '/provider/inbox/escrows', key),
        403,
        'INSUFFICIENT_SCOPE',
      );
    expectErrorEnvelope(
      await api.call('GET', '/provider/inbox/escrows', api.keys.admin),
      403,
      'KEY_HAS_NO_USER',
    );
    for (const query of ['limit=0', 'limit=201', 'offset=-1', 'status=DRAFT'])
      expectErrorEnvelope(
        await api.call('GET', `/provider/inbox/escrows?${query}`, stranger.key),
        422,
        'VALIDATION_ERROR',
      );
  });
});
