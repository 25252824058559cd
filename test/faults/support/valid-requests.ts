/**
 * One valid request per API operation, aimed at the world's real objects (fault-world.ts): the
 * fuzz breaks these one piece at a time, so most of its inputs get past parsing and reach the
 * deeper checks (party, state, money, references); the authorization matrix sends them as every
 * kind of caller, so a party rule is reached instead of a 422 on an empty body. An operation of
 * `/openapi.json` without a recipe here fails both suites.
 *
 * `side`: which side's objects the request names. The subject sender is the client on side 1 and
 * the provider on side 2, so an operation for providers (mark-delivered, proofs) names side 2 to
 * be valid for the subject. `n` makes names, hashes and idempotency keys unique per request.
 */
import type { Side, World } from './fault-world';
import { sha256Hex } from './fault-world';

export type IdempotencyUse = 'required' | 'honoured' | 'ignored';

export interface ValidRequest {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** A JSON body (absent: no body at all). */
  body?: unknown;
  /**
   * A multipart upload of one file in the field `file` instead of a JSON body, followed by the
   * text `fields` (the frontend's `escrow_id`).
   */
  upload?: { bytes: Buffer; filename: string; mime: string; fields?: Record<string, string> };
  /** Signed like the PSP signs its webhooks (after any change the fuzz makes). */
  signed?: boolean;
}

export interface Recipe {
  /** The side whose objects are named (and whose party the subject sender is). */
  side: 1 | 2;
  idempotency: IdempotencyUse;
  build(w: World, s: Side, n: number): ValidRequest;
}

const FAR = '2099-12-31T00:00:00Z';
/** New milestones take sequence indexes 2…9001 in turn (the API allows up to 10,000). */
const SEQUENCE_INDEX_SPAN = 9000;
/** Proof metadata with every key the audit masking rewrites, so the fuzz reaches each rule. */
function proofMetadata(n: number): Record<string, unknown> {
  return {
    card_number: '4111 1111 1111 1111',
    iban: 'FR76 3000 6000 0112 3456 7890 189',
    beneficiary_iban: 'DE89370400440532013000',
    account_number: '000123456789',
    iban_last4: '0189',
    psp_reference: `psp-reference-${n}`,
    psp_ref: `psp-ref-${n}`,
    payment_reference: `pay-ref-${n}`,
    supplier_name: 'ACME Supplies',
    contact_email: 'billing@acme.example',
    invoice_total_amount: '100.00',
    invoice_currency: 'USD',
    note: 'delivered at the gate',
  };
}

/** The `n`-th of several targets, in turn (each valid request uses one up). */
const pick = <T>(list: readonly T[], n: number): T =>
  list[((n % list.length) + list.length) % list.length]!;

const r = (side: 1 | 2, idempotency: IdempotencyUse, build: Recipe['build']): Recipe => ({
  side,
  idempotency,
  build,
});
const none = (): ValidRequest => ({});
const page = (query: Record<string, string>) => (): ValidRequest => ({ query });

/** Users, keys, audit. */
const IDENTITY: Record<string, Recipe> = {
  'GET /health': r(1, 'ignored', none),
  'GET /metrics': r(1, 'ignored', none),
  // Public: the subject's own email (any key sent is ignored); each login issues a new key.
  'POST /auth/login': r(1, 'ignored', (w) => ({ body: { email: w.subject.email } })),
  'GET /auth/me': r(1, 'ignored', none),
  'POST /users': r(1, 'honoured', (_w, _s, n) => ({
    // No public_tag: only admin may set it (README), and support may create users.
    body: { username: `fz-user-${n}`, email: `fz-user-${n}@example.org`, is_active: true },
  })),
  'GET /users': r(1, 'ignored', page({ limit: '5', offset: '0' })),
  'GET /users/{id}': r(1, 'ignored', (w) => ({ params: { id: w.subject.id } })),
  'PATCH /users/{id}': r(1, 'honoured', (w) => ({
    params: { id: w.spareUser },
    body: { is_active: true, public_tag: 'GOV' },
  })),
  'POST /apikeys': r(1, 'ignored', (w) => ({
    body: { name: 'fuzz key', scope: 'sender', days_valid: 30, user_id: w.spareUser },
  })),
  'GET /apikeys': r(1, 'ignored', page({ limit: '5' })),
  'GET /apikeys/{id}': r(1, 'ignored', (w) => ({ params: { id: w.subject.keyId } })),
  'DELETE /apikeys/{id}': r(1, 'ignored', (w) => ({ params: { id: w.spareKeyId } })),
  'GET /audit/events': r(1, 'ignored', (_w, s) => ({
    query: {
      stream: `escrow-${s.funded}`,
      type: 'escrow.created.v1',
      actor_prefix: 'koba_',
      limit: '10',
      offset: '0',
    },
  })),
  'GET /audit/streams/{streamId}': r(1, 'ignored', (_w, s) => ({
    params: { streamId: `escrow-${s.funded}` },
  })),
  'GET /alerts': r(1, 'ignored', page({ type: 'PAYMENT_FAILED' })),
};

/** Escrows, milestones, payments, the ledger. */
const ESCROWS: Record<string, Recipe> = {
  'POST /escrows': r(1, 'honoured', (_w, s) => ({
    body: {
      client_id: s.client.id,
      provider_id: s.provider.id,
      amount_total: '50.00',
      currency: 'USD',
      release_conditions: { on_deadline: 'refund', reference: 'PO-1' },
      deadline_at: FAR,
      domain: 'private',
    },
  })),
  'GET /escrows': r(1, 'ignored', (_w, s) => ({
    query: { status: 'FUNDED', client_id: s.client.id, limit: '10' },
  })),
  // The web frontend's lists (FRONTEND-CONTRACT.md §4.2, §5.1): the subject as client, as provider.
  'GET /sender/dashboard': r(1, 'ignored', () => ({
    query: { limit: '5', include_actions: 'true' },
  })),
  'GET /provider/inbox/escrows': r(2, 'ignored', () => ({ query: { limit: '20', offset: '0' } })),
  'GET /escrows/milestones/{milestoneId}': r(1, 'ignored', (_w, s) => ({
    params: { milestoneId: s.openMilestone },
  })),
  'GET /escrows/{id}': r(1, 'ignored', (_w, s) => ({ params: { id: s.funded } })),
  'GET /escrows/{id}/milestones': r(1, 'ignored', (_w, s) => ({ params: { id: s.funded } })),
  'POST /escrows/{id}/milestones': r(1, 'honoured', (_w, s, n) => ({
    params: { id: s.draft },
    body: {
      label: `Fuzz milestone ${n}`,
      amount: '10.00',
      currency: 'USD',
      sequence_index: 2 + (Math.abs(n) % SEQUENCE_INDEX_SPAN),
      proof_kind: 'PHOTO',
      proof_requirements: { min_photos: 1 },
      geofence_lat: -4.3217,
      geofence_lng: 15.3125,
      geofence_radius_m: 500,
    },
  })),
  'POST /escrows/{id}/deposit': r(1, 'required', (_w, s) => ({
    params: { id: s.draft },
    body: { amount: '1.00' },
  })),
  'POST /escrows/{id}/mark-delivered': r(2, 'honoured', (_w, s, n) => ({
    params: { id: pick(s.toDeliver, n) },
    body: { note: 'delivered', proof_url: 'https://files.example/delivery.jpg' },
  })),
  'POST /escrows/{id}/client-approve': r(1, 'honoured', (_w, s, n) => ({
    params: { id: pick(s.toApprove, n) },
    body: { note: 'fine' },
  })),
  'POST /escrows/{id}/client-reject': r(1, 'honoured', (_w, s, n) => ({
    params: { id: pick(s.toReject, n) },
    body: { note: 'not delivered', proof_url: 'https://files.example/x.jpg' },
  })),
  'POST /escrows/{id}/check-deadline': r(1, 'honoured', (_w, s) => ({ params: { id: s.funded } })),
  'POST /escrows/milestones/{milestoneId}/release': r(1, 'honoured', (_w, s) => ({
    params: { milestoneId: s.openMilestone },
  })),
  'GET /escrows/{id}/summary': r(1, 'ignored', (_w, s) => ({ params: { id: s.funded } })),
  'GET /escrows/{id}/payments': r(1, 'ignored', (_w, s) => ({
    params: { id: s.funded },
    query: { kind: 'payout' },
  })),
  'GET /payments/{id}': r(1, 'ignored', (_w, s) => ({ params: { id: s.payment } })),
  'GET /admin/payments': r(1, 'ignored', (_w, s) => ({
    query: {
      limit: '10',
      offset: '0',
      escrow_id: s.funded,
      status: 'SENT',
      payment_id: s.payment,
      id: s.payment,
    },
  })),
  'POST /payments/execute/{id}': r(1, 'honoured', (_w, s) => ({
    params: { id: s.pendingPayment },
  })),
  'POST /payments/{id}/retry': r(1, 'honoured', (_w, s) => ({ params: { id: s.failedPayment } })),
  'POST /psp/webhook': r(1, 'ignored', (_w, s, n) => ({
    body: {
      event_id: `evt-fuzz-${n}`,
      type: 'payment.settled',
      psp_ref: s.pspRef,
      provider: 'simulator',
    },
    signed: true,
  })),
  'GET /ledger/accounts/{account}': r(1, 'ignored', (_w, s) => ({
    params: { account: `escrow:${s.funded}:held:USD` },
  })),
  'GET /ledger/trial-balance': r(1, 'ignored', none),
  'GET /escrows/{id}/ledger': r(1, 'ignored', (_w, s) => ({
    params: { id: s.funded },
    query: { limit: '10' },
  })),
};

/** Proofs and their files. */
const PROOFS: Record<string, Recipe> = {
  'POST /proofs/files': r(2, 'honoured', (w) => ({
    upload: { bytes: w.photo, filename: 'site.jpg', mime: 'image/jpeg' },
  })),
  'GET /proofs/files/{id}': r(2, 'ignored', (_w, s) => ({ params: { id: s.file } })),
  // The frontend's alias (FRONTEND-CONTRACT D6), bound to an escrow of the side (A7): after the
  // file, as the frontend sends it.
  'POST /files/proofs': r(2, 'honoured', (w, s) => ({
    upload: {
      bytes: w.photo,
      filename: 'site.jpg',
      mime: 'image/jpeg',
      fields: { escrow_id: s.funded },
    },
  })),
  'GET /admin/proofs/review-queue': r(1, 'ignored', (_w, s) => ({
    query: { status: 'PENDING', sender_id: s.client.id, limit: '10' },
  })),
  'POST /proofs': r(2, 'honoured', (_w, s, n) => ({
    body: {
      escrow_id: pick(s.claims, n),
      milestone_idx: 1,
      type: 'INVOICE',
      storage_url: `https://files.example/invoices/fuzz-${n}.pdf?sig=abc`,
      sha256: sha256Hex(`fuzz proof ${n} ${s.proofs}`),
      metadata: proofMetadata(n),
    },
  })),
  'GET /proofs': r(1, 'ignored', (_w, s) => ({
    query: { status: 'PENDING', escrow_id: s.proofs, limit: '10' },
  })),
  'GET /proofs/{id}': r(1, 'ignored', (_w, s) => ({ params: { id: s.proof } })),
  'POST /proofs/{id}/decision': r(1, 'honoured', (_w, s) => ({
    params: { id: s.proof },
    body: { decision: 'reject', note: 'blurred' },
  })),
};

/** Mandates, the spend catalogue, purchases, payees. */
const SPENDING: Record<string, Recipe> = {
  'POST /mandates': r(1, 'honoured', (w, s) => ({
    body: {
      sender_id: s.client.id,
      beneficiary_id: s.provider.id,
      total_amount: '20.00',
      currency: 'EUR',
      allowed_category_id: w.category,
      allowed_merchant_id: w.merchant,
      expires_at: FAR,
    },
  })),
  'GET /mandates': r(1, 'ignored', (_w, s) => ({
    query: { sender_id: s.client.id, status: 'ACTIVE', limit: '10' },
  })),
  'POST /mandates/cleanup': r(1, 'honoured', none),
  'GET /mandates/{id}': r(1, 'ignored', (_w, s) => ({ params: { id: s.mandate } })),
  'POST /spend/categories': r(1, 'honoured', (_w, _s, n) => ({
    body: { code: `FZ${n}`, label: `Fuzz category ${n}` },
  })),
  'GET /spend/categories': r(1, 'ignored', page({ limit: '10' })),
  'POST /spend/merchants': r(1, 'honoured', (w, _s, n) => ({
    body: { name: `Fuzz shop ${n}`, category_id: w.category, is_certified: false },
  })),
  'GET /spend/merchants': r(1, 'ignored', page({ offset: '1' })),
  'POST /spend/allow': r(1, 'honoured', (w, s) => ({
    body: { owner_id: s.provider.id, merchant_id: w.merchant },
  })),
  'POST /spend/purchases': r(1, 'required', (w, s) => ({
    body: {
      sender_id: s.client.id,
      beneficiary_id: s.provider.id,
      merchant_id: w.merchant,
      amount: '1.00',
      currency: 'USD',
      category_id: w.category,
    },
  })),
  'GET /spend/purchases': r(1, 'ignored', (_w, s) => ({
    query: { mandate_id: s.mandate, sender_id: s.client.id },
  })),
  'POST /spend/allowed': r(1, 'honoured', (_w, s, n) => ({
    body: {
      escrow_id: s.funded,
      payee_ref: `fz-payee-${n}`,
      label: 'Fuzz payee',
      daily_limit: '50.00',
      total_limit: null,
    },
  })),
  'GET /escrows/{id}/payees': r(1, 'ignored', (_w, s) => ({ params: { id: s.funded } })),
  'POST /spend': r(1, 'required', (_w, s) => ({
    body: { escrow_id: s.funded, payee_ref: s.payeeRef, amount: '0.01', note: 'coffee' },
  })),
};

/** Allowlist, certification, transfers. */
const TRANSFERS: Record<string, Recipe> = {
  'POST /allowlist': r(1, 'honoured', (w) => ({
    body: { owner_id: w.subject.id, recipient_id: w.partner1.id },
  })),
  'GET /allowlist': r(1, 'ignored', (w) => ({ query: { owner_id: w.subject.id } })),
  'DELETE /allowlist': r(1, 'ignored', (w) => ({
    query: { owner_id: w.subject.id, recipient_id: w.unrelated.id },
  })),
  'POST /certified': r(1, 'honoured', (w) => ({ body: { user_id: w.partner1.id, level: 'gold' } })),
  'GET /certified/{userId}': r(1, 'ignored', (w) => ({ params: { userId: w.partner1.id } })),
  'POST /transactions': r(1, 'required', (w) => ({
    body: { sender_id: w.subject.id, receiver_id: w.partner1.id, amount: '0.01', currency: 'USD' },
  })),
  'GET /transactions': r(1, 'ignored', (w) => ({ query: { sender_id: w.subject.id } })),
  'GET /transactions/{id}': r(1, 'ignored', (w) => ({ params: { id: w.transaction } })),
};

export const RECIPES: Record<string, Recipe> = {
  ...IDENTITY,
  ...ESCROWS,
  ...PROOFS,
  ...SPENDING,
  ...TRANSFERS,
};

export function recipeFor(key: string): Recipe {
  const recipe = RECIPES[key];
  if (!recipe) throw new Error(`${key} is in /openapi.json but has no recipe in valid-requests.ts`);
  return recipe;
}
