/**
 * The real objects the fuzz and the authorization matrix aim at (issue 12): one test app (real
 * PostgreSQL, scheduler off so that nothing appends events behind a test's back), users and keys
 * of every kind, and two "sides" built the same way, so that one sender key (`subject`) is the
 * client on side 1 and the provider on side 2. Each side holds escrows in the states the routes
 * need (a DRAFT one for deposits and new milestones, a funded one with a payout, a failed and a
 * pending payment, one per closing action, one with proofs), a payee, a mandate, a purchase.
 * Everything is made through the API with the bootstrap admin key, except the expired key: the
 * API cannot issue a key that is already expired (`days_valid` ≥ 1), so it is issued by the same
 * `issueApiKey` that `POST /apikeys` runs, with an expiry in the past.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'light-my-request';
import { newId, systemActor } from '../../../libs/kernel/src';
import type { SimulatorMode } from '../../../libs/psp/src/psp-simulator';
import { issueApiKey } from '../../../apps/api/src/identity/issue-api-key';
import { oneFile } from '../../proof-files/multipart';
import { type EscrowApi, startEscrowApi } from '../../support/escrow-api';
import { makePhoto } from '../../support/photos';
import { KINSHASA } from '../../support/proof-api';

/** How long a `silent` or `timeout` PSP call keeps the world's setup waiting. */
const PSP_ANSWER_TIMEOUT_MS = 20;
const FAR_DEADLINE = '2099-12-31T00:00:00Z';

export interface Person {
  id: string;
  key: string;
  keyId: string;
}

/** The objects of one side: `client` pays `provider` through these escrows. */
export interface Side {
  client: Person;
  provider: Person;
  /** FUNDED, 1000.00 USD, milestones 1–3 of 100.00; milestone 1 paid out (payment SENT). */
  funded: string;
  /** Milestone 2 of `funded`: the lowest open one, so the one a release may pay. */
  openMilestone: string;
  paidMilestone: string;
  /** The SENT payout of milestone 1 and its PSP reference. */
  payment: string;
  pspRef: string;
  /** A FAILED payout (what `POST /payments/{id}/retry` needs). */
  failedPayment: string;
  /** A PENDING payout (what `POST /payments/execute/{id}` resumes). */
  pendingPayment: string;
  /** DRAFT, 1,000,000.00 USD: room for any number of deposits and milestones. */
  draft: string;
  /**
   * FUNDED escrows for the closing actions, several of each (`closeable`), so that as many
   * requests as there are escrows can be valid, each one closing its own.
   */
  toDeliver: string[];
  toApprove: string[];
  toReject: string[];
  /** FUNDED, milestone 1 PHOTO (approved from `file`), milestone 2 INVOICE with `proof` pending. */
  proofs: string;
  file: string;
  proof: string;
  /** Allowed on `funded` (daily 50.00, total 500.00), and one spend to it. */
  payeeRef: string;
  /** Sender = client, beneficiary = provider, 100,000.00 USD, allowed at the world's merchant. */
  mandate: string;
  purchase: string;
  /** DRAFT escrows with one INVOICE milestone waiting for a proof (one proof each). */
  claims: string[];
}

export interface World {
  api: EscrowApi;
  admin: string;
  support: string;
  auditor: string;
  /** The sender key the fuzz and the matrix speak as: client on side 1, provider on side 2. */
  subject: Person;
  /** The subject's provider on side 1 and client on side 2. */
  partner1: Person;
  partner2: Person;
  /** A sender with a user who is party to nothing of the sides. */
  unrelated: Person;
  /** A second key of the subject, revoked; a third, expired. */
  revokedKey: string;
  expiredKey: string;
  /** A key of a user that was deactivated. */
  deactivatedKey: string;
  /** A well-formed key nobody issued. */
  unknownKey: string;
  /** Targets of the changes a valid request may make (never a key or user the tests use). */
  spareUser: string;
  spareKeyId: string;
  side1: Side;
  side2: Side;
  /**
   * Decoys: a side between the partners (the subject is party to nothing of it), a user and a
   * key. The fuzz puts their ids where other ids belong, so the changes such a request may make
   * never close or revoke what the other cases aim at.
   */
  side3: Side;
  decoyUser: string;
  decoyKeyId: string;
  category: string;
  merchant: string;
  /** `POST /allowlist` subject → partner1 (transactions use it); subject → unrelated (to delete). */
  transaction: string;
  /** A photo and its bytes (uploads reuse them). */
  photo: Buffer;
}

function expectStatus(res: Response, statuses: number[], what: string): Response {
  if (!statuses.includes(res.statusCode)) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res;
}

const tag = () => randomBytes(4).toString('hex');
const idem = () => ({ 'idempotency-key': `world-${tag()}${tag()}` });
export const sha256Hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

async function person(api: EscrowApi, name: string): Promise<Person> {
  const t = tag();
  const user = await api.call('POST', '/users', api.keys.admin, {
    username: `${name}-${t}`,
    email: `${name}-${t}@example.org`,
  });
  expectStatus(user, [201], `create user ${name}`);
  const id = user.json().id as string;
  const key = await api.call('POST', '/apikeys', api.keys.admin, { name, scope: 'sender', user_id: id });
  expectStatus(key, [201], `key of ${name}`);
  return { id, key: key.json().key, keyId: key.json().id };
}

/** Runs `work` with the PSP simulator in `mode`, then restores it. */
async function withPsp<T>(api: EscrowApi, mode: SimulatorMode, work: () => Promise<T>): Promise<T> {
  const psp = api.t.platform.psp;
  const before = { mode: psp.mode, answerTimeoutMs: psp.answerTimeoutMs };
  psp.mode = mode;
  psp.answerTimeoutMs = PSP_ANSWER_TIMEOUT_MS;
  try {
    return await work();
  } finally {
    psp.mode = before.mode;
    psp.answerTimeoutMs = before.answerTimeoutMs;
  }
}

interface EscrowSpec {
  total: string;
  milestones?: { amount: string; proof_kind?: string }[];
  deposit?: boolean;
}

/** An escrow of `side` made by its client, with milestones 1… and (unless told) funded whole. */
async function escrow(api: EscrowApi, c: Person, p: Person, spec: EscrowSpec): Promise<{ id: string; milestones: string[] }> {
  const created = await api.call('POST', '/escrows', c.key, {
    client_id: c.id,
    provider_id: p.id,
    amount_total: spec.total,
    currency: 'USD',
    release_conditions: { on_deadline: 'none' },
    deadline_at: FAR_DEADLINE,
  });
  const id = expectStatus(created, [201], 'create escrow').json().id as string;
  const milestones: string[] = [];
  for (const [i, m] of (spec.milestones ?? []).entries()) {
    const res = await api.call('POST', `/escrows/${id}/milestones`, c.key, {
      label: `Milestone ${i + 1}`,
      amount: m.amount,
      currency: 'USD',
      sequence_index: i + 1,
      ...(m.proof_kind ? { proof_kind: m.proof_kind } : {}),
    });
    milestones.push(expectStatus(res, [201], 'add milestone').json().id);
  }
  if (spec.deposit !== false) {
    const dep = await api.call('POST', `/escrows/${id}/deposit`, c.key, { amount: spec.total }, idem());
    expectStatus(dep, [200], 'deposit');
  }
  return { id, milestones };
}

/** A payout of a one-milestone escrow released with the PSP in `mode`; returns the payment. */
async function payoutIn(api: EscrowApi, c: Person, p: Person, mode: SimulatorMode): Promise<Record<string, any>> {
  const { milestones } = await escrow(api, c, p, { total: '10.00', milestones: [{ amount: '10.00' }] });
  const res = await withPsp(api, mode, () => api.release(milestones[0]!, c.key));
  return expectStatus(res, [200, 201], `release (${mode})`).json();
}

async function proofsEscrow(api: EscrowApi, c: Person, p: Person, photo: Buffer): Promise<Pick<Side, 'proofs' | 'file' | 'proof'>> {
  const e = await escrow(api, c, p, {
    total: '200.00',
    milestones: [{ amount: '100.00', proof_kind: 'PHOTO' }, { amount: '100.00', proof_kind: 'INVOICE' }],
  });
  const { payload, headers } = oneFile(photo);
  const uploaded = await api.t.app.inject({ method: 'POST', url: '/proofs/files', headers: { 'x-api-key': p.key, ...headers }, payload });
  const file = expectStatus(uploaded, [201], 'upload').json().file_id as string;
  const photoProof = await api.call('POST', '/proofs', p.key, { escrow_id: e.id, milestone_idx: 1, type: 'PHOTO', file_id: file });
  expectStatus(photoProof, [201], 'photo proof');
  const claim = await api.call('POST', '/proofs', p.key, {
    escrow_id: e.id,
    milestone_idx: 2,
    type: 'INVOICE',
    storage_url: `https://files.example/invoices/${tag()}.pdf`,
    sha256: sha256Hex(`world claim ${tag()}`),
  });
  return { proofs: e.id, file, proof: expectStatus(claim, [201], 'claim proof').json().id };
}

/** Requests in flight at once while the world makes many escrows (each its own stream). */
const SETUP_CONCURRENCY = 8;

/** `count` escrows made by `make`, a few at a time (never while the PSP is in another mode). */
async function several(count: number, make: () => Promise<string>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += SETUP_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(SETUP_CONCURRENCY, count - i) }, make);
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

interface SideOptions {
  merchant: string;
  photo: Buffer;
  claims: number;
  closeable: number;
}

async function side(api: EscrowApi, c: Person, p: Person, w: SideOptions): Promise<Side> {
  const admin = api.keys.admin;
  const hundreds = [{ amount: '100.00' }, { amount: '100.00' }, { amount: '100.00' }];
  const funded = await escrow(api, c, p, { total: '1000.00', milestones: hundreds });
  const paid = expectStatus(await api.release(funded.milestones[0]!, c.key), [200, 201], 'release').json();
  const failed = await payoutIn(api, c, p, 'fail');
  const pending = await payoutIn(api, c, p, 'silent');
  if (failed.status !== 'FAILED' || pending.status !== 'PENDING') {
    throw new Error(`payments: expected FAILED and PENDING, got ${failed.status} and ${pending.status}`);
  }
  const payeeRef = `payee-${tag()}`;
  const payee = await api.call('POST', '/spend/allowed', admin, {
    escrow_id: funded.id,
    payee_ref: payeeRef,
    label: 'World payee',
    daily_limit: '50.00',
    total_limit: '500.00',
  });
  expectStatus(payee, [201], 'allow payee');
  const spend = await api.call('POST', '/spend', c.key, { escrow_id: funded.id, payee_ref: payeeRef, amount: '1.00' }, idem());
  expectStatus(spend, [200, 201], 'spend');
  const allow = await api.call('POST', '/spend/allow', admin, { owner_id: p.id, merchant_id: w.merchant });
  expectStatus(allow, [200, 201], 'allow usage');
  const mandate = await api.call('POST', '/mandates', c.key, {
    sender_id: c.id,
    beneficiary_id: p.id,
    total_amount: '100000.00',
    currency: 'USD',
    expires_at: FAR_DEADLINE,
  });
  const mandateId = expectStatus(mandate, [201], 'mandate').json().id as string;
  const purchase = await api.call(
    'POST',
    '/spend/purchases',
    c.key,
    { sender_id: c.id, beneficiary_id: p.id, merchant_id: w.merchant, amount: '1.00', currency: 'USD' },
    idem(),
  );
  const single = async () => (await escrow(api, c, p, { total: '10.00' })).id;
  const claim = async () => (await escrow(api, c, p, { total: '1.00', milestones: [{ amount: '1.00', proof_kind: 'INVOICE' }], deposit: false })).id;
  return {
    client: c,
    provider: p,
    funded: funded.id,
    openMilestone: funded.milestones[1]!,
    paidMilestone: funded.milestones[0]!,
    payment: paid.id,
    pspRef: paid.psp_ref,
    failedPayment: failed.id,
    pendingPayment: pending.id,
    draft: (await escrow(api, c, p, { total: '1000000.00', deposit: false })).id,
    toDeliver: await several(w.closeable, single),
    toApprove: await several(w.closeable, single),
    toReject: await several(w.closeable, single),
    ...(await proofsEscrow(api, c, p, w.photo)),
    payeeRef,
    mandate: mandateId,
    purchase: expectStatus(purchase, [201], 'purchase').json().id,
    claims: await several(w.claims, claim),
  };
}

/** A key of `owner` issued by the service's own issuing code with an expiry already past. */
async function expiredKeyOf(api: EscrowApi, owner: Person): Promise<string> {
  const id = newId();
  const issued = await issueApiKey(
    api.t.platform,
    { actor: systemActor('system:test'), commandId: id, correlationId: id, causationId: id, now: new Date() },
    { name: 'expired', scope: 'sender', userId: owner.id, expiresAt: new Date(Date.now() - 86_400_000).toISOString() },
  );
  return issued.key;
}

export interface WorldOptions {
  env?: Record<string, string>;
  /** Escrows waiting for a proof on side 2 (the subject's side as provider); default 3. */
  claims?: number;
  /** Escrows for each closing action on sides 1 and 2; default 3. */
  closeable?: number;
}

export async function buildWorld(options: WorldOptions = {}): Promise<World> {
  // No scheduler: the suites count every event appended, so no job may append any meanwhile.
  const api = await startEscrowApi({ SCHEDULER_ENABLED: 'false', ...options.env });
  const admin = api.keys.admin;
  const subject: Person = { id: api.ids.client, key: api.keys.client, keyId: '' };
  const partner1: Person = { id: api.ids.provider, key: api.keys.provider, keyId: '' };
  const unrelated: Person = { id: api.ids.stranger, key: api.keys.stranger, keyId: '' };
  const keyIds = (await api.call('GET', '/apikeys?limit=200', admin)).json().items as { id: string; prefix: string }[];
  for (const p of [subject, partner1, unrelated]) p.keyId = keyIds.find((k) => p.key.startsWith(`${k.prefix}.`))!.id;
  const partner2 = await person(api, 'partner2');
  const second = await api.call('POST', '/apikeys', admin, { name: 'revoked', scope: 'sender', user_id: subject.id });
  const revokedKey = expectStatus(second, [201], 'second key').json().key as string;
  expectStatus(await api.call('DELETE', `/apikeys/${second.json().id}`, admin), [204], 'revoke');
  const deactivated = await person(api, 'deactivated');
  expectStatus(await api.call('PATCH', `/users/${deactivated.id}`, admin, { is_active: false }), [200], 'deactivate');
  const spare = await person(api, 'spare');
  const category = await api.call('POST', '/spend/categories', admin, { code: `W${tag()}`, label: 'World category' });
  const categoryId = expectStatus(category, [201], 'category').json().id as string;
  const merchant = await api.call('POST', '/spend/merchants', admin, { name: `World shop ${tag()}`, category_id: categoryId, is_certified: true });
  const merchantId = expectStatus(merchant, [201], 'merchant').json().id as string;
  const photo = await makePhoto({ scene: 4242, width: 320, height: 240, gps: KINSHASA, gpsTime: new Date() });
  const scene = (n: number) => makePhoto({ scene: n, width: 320, height: 240, gps: KINSHASA, gpsTime: new Date() });
  const common = { merchant: merchantId, photo, claims: 1, closeable: options.closeable ?? 3 };
  const side1 = await side(api, subject, partner1, common);
  const side2 = await side(api, partner2, subject, { ...common, photo: await scene(4243), claims: options.claims ?? 3 });
  const side3 = await side(api, partner2, partner1, { ...common, photo: await scene(4244), closeable: 1 });
  const decoy = await person(api, 'decoy');
  for (const recipient of [partner1.id, unrelated.id]) {
    expectStatus(await api.call('POST', '/allowlist', admin, { owner_id: subject.id, recipient_id: recipient }), [200, 201], 'allowlist');
  }
  expectStatus(await api.call('POST', '/certified', admin, { user_id: partner1.id, level: 'GOLD' }), [200, 201], 'certify');
  const transfer = await api.call('POST', '/transactions', admin, { sender_id: subject.id, receiver_id: partner1.id, amount: '1.00', currency: 'USD' }, idem());
  return {
    api,
    admin,
    support: api.keys.support,
    auditor: api.keys.auditor,
    subject,
    partner1,
    partner2,
    unrelated,
    revokedKey,
    expiredKey: await expiredKeyOf(api, subject),
    deactivatedKey: deactivated.key,
    unknownKey: `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`,
    spareUser: spare.id,
    spareKeyId: spare.keyId,
    side1,
    side2,
    side3,
    decoyUser: decoy.id,
    decoyKeyId: decoy.keyId,
    category: categoryId,
    merchant: merchantId,
    transaction: expectStatus(transfer, [200, 201], 'transaction').json().id,
    photo,
  };
}
