/**
 * The real objects the fuzz and the authorization matrix aim at (issue 12): one test app (real
 * PostgreSQL, scheduler off so that nothing appends events behind a test's back), users and keys
 * of every kind, and "sides" built the same way, so that one sender key (`subject`) is the
 * client on side 1 and the provider on side 2 (side 3, between the partners, holds decoys).
 * Each side holds escrows in the states the routes need (a DRAFT one for deposits and new
 * milestones, a funded one with a payout, a failed and a pending payment, several per closing
 * action, one with proofs, several waiting for a proof), a payee, a mandate, a purchase.
 * Everything is made through the API with the bootstrap admin key, except the expired key: the
 * API cannot issue a key that is already expired (`days_valid` ≥ 1), so it is issued by the same
 * `issueApiKey` that `POST /apikeys` runs, with an expiry in the past.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'light-my-request';
import { newId, systemActor } from '@kob/kernel';
import type { SimulatorMode } from '@kob/psp';
import { issueApiKey } from '../../../apps/api/src/identity/issue-api-key/issue-api-key';
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
  /** the user's email (what email login takes) */
  email: string;
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
  /** A failed payout (answered ERROR, D4) (what `POST /payments/{id}/retry` needs). */
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
  /** The subject's provider on side 1, and its client on side 2. */
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
  /** A transfer subject → partner1 (allowlisted; partner1 is certified). */
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
const DAY_MS = 86_400_000;

/** A user with a sender key of its own. */
async function person(api: EscrowApi, name: string): Promise<Person> {
  const t = tag();
  const email = `${name}-${t}@example.org`;
  const user = await api.call('POST', '/users', api.keys.admin, {
    username: `${name}-${t}`,
    email,
  });
  const id = expectStatus(user, [201], `create user ${name}`).json().id as string;
  const body = { name, scope: 'sender', user_id: id };
  const key = expectStatus(await api.call('POST', '/apikeys', api.keys.admin, body), [201], 'key');
  return { id, key: key.json().key, keyId: key.json().id, email };
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

/** An escrow made by its client, with milestones 1… and (unless told) funded whole. */
async function escrow(api: EscrowApi, c: Person, p: Person, spec: EscrowSpec) {
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
    const body = { amount: spec.total };
    const dep = await api.call('POST', `/escrows/${id}/deposit`, c.key, body, idem());
    expectStatus(dep, [200], 'deposit');
  }
  return { id, milestones };
}

/** A payout of a one-milestone escrow released with the PSP in `mode`; returns the payment. */
async function payoutIn(api: EscrowApi, c: Person, p: Person, mode: SimulatorMode) {
  const spec = { total: '10.00', milestones: [{ amount: '10.00' }] };
  const { milestones } = await escrow(api, c, p, spec);
  const res = await withPsp(api, mode, () => api.release(milestones[0]!, c.key));
  return expectStatus(res, [200, 201], `release (${mode})`).json() as Record<string, string>;
}

/** Milestone 1 (PHOTO) approved from an uploaded photo; milestone 2 (INVOICE) with a claim. */
async function proofsEscrow(api: EscrowApi, c: Person, p: Person, photo: Buffer) {
  const milestones = [
    { amount: '100.00', proof_kind: 'PHOTO' },
    { amount: '100.00', proof_kind: 'INVOICE' },
  ];
  const e = await escrow(api, c, p, { total: '200.00', milestones });
  const { payload, headers } = oneFile(photo);
  const uploaded = await api.t.app.inject({
    method: 'POST',
    url: '/proofs/files',
    headers: { 'x-api-key': p.key, ...headers },
    payload,
  });
  const file = expectStatus(uploaded, [201], 'upload').json().file_id as string;
  const byPhoto = { escrow_id: e.id, milestone_idx: 1, type: 'PHOTO', file_id: file };
  expectStatus(await api.call('POST', '/proofs', p.key, byPhoto), [201], 'photo proof');
  const claim = await api.call('POST', '/proofs', p.key, {
    escrow_id: e.id,
    milestone_idx: 2,
    type: 'INVOICE',
    storage_url: `https://files.example/invoices/${tag()}.pdf`,
    sha256: sha256Hex(`world claim ${tag()}`),
  });
  const proof = expectStatus(claim, [201], 'claim proof').json().id as string;
  return { proofs: e.id, file, proof };
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

/** A payee allowed on `escrowId` with one spend to it; returns its reference. */
async function payee(api: EscrowApi, c: Person, escrowId: string): Promise<string> {
  const payeeRef = `payee-${tag()}`;
  const allowed = await api.call('POST', '/spend/allowed', api.keys.admin, {
    escrow_id: escrowId,
    payee_ref: payeeRef,
    label: 'World payee',
    daily_limit: '50.00',
    total_limit: '500.00',
  });
  expectStatus(allowed, [201], 'allow payee');
  const body = { escrow_id: escrowId, payee_ref: payeeRef, amount: '1.00' };
  expectStatus(await api.call('POST', '/spend', c.key, body, idem()), [200, 201], 'spend');
  return payeeRef;
}

/** A mandate from `c` to `p` (allowed at the merchant) and one purchase against it. */
async function mandate(api: EscrowApi, c: Person, p: Person, merchant: string) {
  const allow = { owner_id: p.id, merchant_id: merchant };
  expectStatus(await api.call('POST', '/spend/allow', api.keys.admin, allow), [200, 201], 'allow');
  const created = await api.call('POST', '/mandates', c.key, {
    sender_id: c.id,
    beneficiary_id: p.id,
    total_amount: '100000.00',
    currency: 'USD',
    expires_at: FAR_DEADLINE,
  });
  const mandateId = expectStatus(created, [201], 'mandate').json().id as string;
  const body = { sender_id: c.id, beneficiary_id: p.id, merchant_id: merchant };
  const buy = { ...body, amount: '1.00', currency: 'USD' };
  const bought = await api.call('POST', '/spend/purchases', c.key, buy, idem());
  const purchase = expectStatus(bought, [201], 'purchase').json().id as string;
  return { mandate: mandateId, purchase };
}

async function side(api: EscrowApi, c: Person, p: Person, w: SideOptions): Promise<Side> {
  const hundreds = [{ amount: '100.00' }, { amount: '100.00' }, { amount: '100.00' }];
  const funded = await escrow(api, c, p, { total: '1000.00', milestones: hundreds });
  const released = await api.release(funded.milestones[0]!, c.key);
  const paid = expectStatus(released, [200, 201], 'release').json() as Record<string, string>;
  const failed = await payoutIn(api, c, p, 'fail');
  const pending = await payoutIn(api, c, p, 'silent');
  if (failed.status !== 'ERROR' || pending.status !== 'PENDING') {
    const got = `${failed.status}, ${pending.status}`;
    throw new Error(`payments: expected ERROR and PENDING, got ${got}`);
  }
  const single = async () => (await escrow(api, c, p, { total: '10.00' })).id;
  const invoice = [{ amount: '1.00', proof_kind: 'INVOICE' }];
  const claim = async () =>
    (await escrow(api, c, p, { total: '1.00', milestones: invoice, deposit: false })).id;
  return {
    client: c,
    provider: p,
    funded: funded.id,
    openMilestone: funded.milestones[1]!,
    paidMilestone: funded.milestones[0]!,
    payment: paid.id!,
    pspRef: paid.psp_ref!,
    failedPayment: failed.id!,
    pendingPayment: pending.id!,
    draft: (await escrow(api, c, p, { total: '1000000.00', deposit: false })).id,
    toDeliver: await several(w.closeable, single),
    toApprove: await several(w.closeable, single),
    toReject: await several(w.closeable, single),
    ...(await proofsEscrow(api, c, p, w.photo)),
    payeeRef: await payee(api, c, funded.id),
    ...(await mandate(api, c, p, w.merchant)),
    claims: await several(w.claims, claim),
  };
}

/** A key of `owner` issued by the service's own issuing code with an expiry already past. */
async function expiredKeyOf(api: EscrowApi, owner: Person): Promise<string> {
  const id = newId();
  const ids = { commandId: id, correlationId: id, causationId: id };
  const metadata = { actor: systemActor('system:test'), ...ids, now: new Date() };
  const expiresAt = new Date(Date.now() - DAY_MS).toISOString();
  const spec = { name: 'expired', scope: 'sender' as const, userId: owner.id, expiresAt };
  return (await issueApiKey(api.t.platform, metadata, spec)).key;
}

/** The keys that must get nowhere: a revoked key of the subject, a deactivated user's key. */
async function deadKeys(api: EscrowApi, subject: Person) {
  const admin = api.keys.admin;
  const body = { name: 'revoked', scope: 'sender', user_id: subject.id };
  const second = expectStatus(await api.call('POST', '/apikeys', admin, body), [201], 'second key');
  expectStatus(await api.call('DELETE', `/apikeys/${second.json().id}`, admin), [204], 'revoke');
  const deactivated = await person(api, 'deactivated');
  const off = await api.call('PATCH', `/users/${deactivated.id}`, admin, { is_active: false });
  expectStatus(off, [200], 'deactivate');
  return {
    revokedKey: second.json().key as string,
    expiredKey: await expiredKeyOf(api, subject),
    deactivatedKey: deactivated.key,
    unknownKey: `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`,
  };
}

/** A category and a certified merchant in it. */
async function catalogue(api: EscrowApi) {
  const admin = api.keys.admin;
  const code = { code: `W${tag()}`, label: 'World' };
  const category = await api.call('POST', '/spend/categories', admin, code);
  const categoryId = expectStatus(category, [201], 'category').json().id as string;
  const body = { name: `World shop ${tag()}`, category_id: categoryId, is_certified: true };
  const merchant = await api.call('POST', '/spend/merchants', admin, body);
  expectStatus(merchant, [201], 'merchant');
  return { category: categoryId, merchant: merchant.json().id as string };
}

/** Subject → partner1 and subject → unrelated allowlisted, partner1 certified, one transfer. */
async function transfers(api: EscrowApi, subject: Person, partner1: Person, unrelated: Person) {
  const admin = api.keys.admin;
  for (const recipient of [partner1.id, unrelated.id]) {
    const body = { owner_id: subject.id, recipient_id: recipient };
    expectStatus(await api.call('POST', '/allowlist', admin, body), [200, 201], 'allowlist');
  }
  const level = { user_id: partner1.id, level: 'GOLD' };
  expectStatus(await api.call('POST', '/certified', admin, level), [200, 201], 'certify');
  const body = { sender_id: subject.id, receiver_id: partner1.id, amount: '1.00', currency: 'USD' };
  const transfer = await api.call('POST', '/transactions', admin, body, idem());
  return expectStatus(transfer, [200, 201], 'transaction').json().id as string;
}

export interface WorldOptions {
  env?: Record<string, string>;
  /** Escrows waiting for a proof on side 2 (the subject's side as provider); default 3. */
  claims?: number;
  /** Escrows for each closing action on sides 1 and 2; default 3. */
  closeable?: number;
}

const photoOf = (scene: number) =>
  makePhoto({ scene, width: 320, height: 240, gps: KINSHASA, gpsTime: new Date() });

export async function buildWorld(options: WorldOptions = {}): Promise<World> {
  // No scheduler: the suites count every event appended, so no job may append any meanwhile.
  // Email login on, so that its route is reached (it is off unless enabled).
  const api = await startEscrowApi({
    SCHEDULER_ENABLED: 'false',
    AUTH_EMAIL_LOGIN: 'true',
    ...options.env,
  });
  const keys = (await api.call('GET', '/apikeys?limit=200', api.keys.admin)).json().items as {
    id: string;
    prefix: string;
  }[];
  const known = async (id: string, key: string): Promise<Person> => ({
    id,
    key,
    keyId: keys.find((k) => key.startsWith(`${k.prefix}.`))!.id,
    email: (await api.call('GET', `/users/${id}`, api.keys.admin)).json().email as string,
  });
  const subject = await known(api.ids.client, api.keys.client);
  const partner1 = await known(api.ids.provider, api.keys.provider);
  const unrelated = await known(api.ids.stranger, api.keys.stranger);
  const partner2 = await person(api, 'partner2');
  const { category, merchant } = await catalogue(api);
  const photo = await photoOf(4242);
  const common = { merchant, photo, claims: 1, closeable: options.closeable ?? 3 };
  const side2Options = { ...common, photo: await photoOf(4243), claims: options.claims ?? 3 };
  const side3Options = { ...common, photo: await photoOf(4244), closeable: 1 };
  const [spare, decoy] = [await person(api, 'spare'), await person(api, 'decoy')];
  return {
    api,
    admin: api.keys.admin,
    support: api.keys.support,
    auditor: api.keys.auditor,
    subject,
    partner1,
    partner2,
    unrelated,
    ...(await deadKeys(api, subject)),
    spareUser: spare.id,
    spareKeyId: spare.keyId,
    side1: await side(api, subject, partner1, common),
    side2: await side(api, partner2, subject, side2Options),
    side3: await side(api, partner2, partner1, side3Options),
    decoyUser: decoy.id,
    decoyKeyId: decoy.keyId,
    category,
    merchant,
    transaction: await transfers(api, subject, partner1, unrelated),
    photo,
  };
}
