/**
 * Well-typed event runs with hostile values in every free-form field, for the projector property
 * specs (issue 12). Each domain has two halves: an arbitrary of the *inputs* (the values a client,
 * the PSP, an uploaded file or OCR can put into an event, each bounded as the DTOs and deciders
 * bound it) and a builder that turns inputs into the events the deciders would append, with fresh
 * ids at every call (the database outlives a run, and fast-check replays inputs while shrinking).
 * fast-check prints the inputs of a failing run, which is what one needs to reproduce it.
 *
 * Bounds (code units, as the deciders count): labels 255, notes 2000, proof_url 2048, payee refs
 * 2–120 visible ASCII, payee labels 200, spend notes 500, PSP references 255 (printable ASCII when
 * the PSP adapter returns them, any text in a webhook body), webhook provider 64, event id 255,
 * kind 100, decline reasons 500, proof type 50, storage URL 1024, proof metadata 16384 characters
 * of canonical JSON, review notes 2000, EXIF texts 128, usernames 100, emails 254, key names 100,
 * category codes 64, labels and merchant names 255. `release_conditions`, `proof_requirements`
 * and webhook payloads are bounded only by the body limit (1 MB) and the nesting limit (32).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AlertType } from '@kob/domain';
import { alertTypes } from '@kob/domain';
import type { EscrowEvent, ProofEvidence, ProofInvoice } from '@kob/domain';
import type { AppendMetadata, NewEvent } from '@kob/event-store';
import { canonicalJson } from '@kob/kernel';
import { type Actor, type Scope, systemActor } from '@kob/kernel';
import { EscrowEventBuilder } from './escrow-event-builder';
import { type RunAppend, type Injection } from './projector-property';
import { UNSTORABLE_CHARS, jsonObject, text, visibleAscii } from './hostile-values';

const AT = '2026-11-27T10:00:00.000Z';

// ---------------------------------------------------------------------------------------------
// Metadata: the request id and idempotency key are the client's (within the edge's rules).

export interface MetaInputs {
  correlationId: string;
  idempotencyKey: string | null;
  actor: 'key' | 'legacy' | 'system';
}

const REQUEST_ID_UNIT = fc.constantFrom(...'ABCXYZabcxyz0189._:-'.split(''));

export const metaInputs: fc.Arbitrary<MetaInputs> = fc.record({
  correlationId: fc.string({ unit: REQUEST_ID_UNIT, minLength: 1, maxLength: 128 }),
  idempotencyKey: fc.option(visibleAscii(1, 255), { nil: null }),
  actor: fc.constantFrom('key' as const, 'legacy' as const, 'system' as const),
});

function actorOf(kind: MetaInputs['actor']): Actor {
  if (kind === 'legacy') return { kind: 'legacy', keyPrefix: 'legacy', scope: 'admin' };
  if (kind === 'system') return systemActor('psp:webhook');
  return {
    kind: 'api_key',
    keyId: randomUUID(),
    keyPrefix: `koba_${randomBytes(3).toString('hex')}`,
    scope: 'sender',
    userId: randomUUID(),
  };
}

export function metadataOf(m: MetaInputs): AppendMetadata {
  const id = randomUUID();
  return {
    actor: actorOf(m.actor),
    commandId: id,
    correlationId: m.correlationId,
    causationId: id,
    occurredAt: AT,
    ...(m.idempotencyKey !== null
      ? { idempotencyKey: m.idempotencyKey, requestHash: randomBytes(32).toString('hex') }
      : {}),
  };
}

function event(type: string, data: unknown, meta: MetaInputs): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadataOf(meta) };
}

/** Which append of a run gets a character jsonb refuses, in a quarter of the runs. */
export const injections: fc.Arbitrary<Injection | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({
      append: fc.nat(),
      pick: fc.nat(),
      char: fc.constantFrom(...UNSTORABLE_CHARS),
    }),
  },
);

// ---------------------------------------------------------------------------------------------
// Escrows: creation, milestones, deposits, payees, payments, closing notes.

export interface EscrowInputs {
  meta: MetaInputs;
  releaseConditions: Record<string, unknown>;
  onDeadline: 'release' | 'refund' | 'none';
  milestoneLabel: string;
  proofRequirements: Record<string, unknown>;
  geofence: { lat: number; lng: number; radiusM: number } | null;
  depositPspRef: string | null;
  recordedPspRef: string;
  declineReason: string;
  payeeRef: string;
  payeeLabel: string;
  spendNote: string | null;
  sentPspRef: string;
  settledWebhook: string;
  failureReason: string;
  deliveredNote: string | null;
  proofUrl: string | null;
  closingNote: string | null;
  closing: 'released' | 'refunded' | 'cancelled';
}

const bigJson = { stringLengthMax: 100_000, depthMax: 32 };

export const escrowInputs: fc.Arbitrary<EscrowInputs> = fc.record({
  meta: metaInputs,
  releaseConditions: jsonObject(bigJson),
  onDeadline: fc.constantFrom('release' as const, 'refund' as const, 'none' as const),
  milestoneLabel: text({ lengthMax: 255, nonBlank: true }),
  proofRequirements: jsonObject(bigJson),
  geofence: fc.option(
    fc.record({
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lng: fc.double({ min: -180, max: 180, noNaN: true }),
      radiusM: fc.double({ min: 1, max: 100_000, noNaN: true }),
    }),
    { nil: null },
  ),
  depositPspRef: fc.option(visibleAscii(1, 255), { nil: null }),
  recordedPspRef: visibleAscii(1, 255),
  declineReason: text({ lengthMax: 500, nonBlank: true }),
  payeeRef: visibleAscii(2, 120),
  payeeLabel: text({ lengthMax: 200, lengthMin: 2, nonBlank: true }),
  spendNote: fc.option(text({ lengthMax: 500 }), { nil: null }),
  sentPspRef: visibleAscii(1, 255),
  // `{provider}:{event id}` of the webhook that settled it: webhook text, any Unicode.
  settledWebhook: fc
    .tuple(text({ lengthMax: 64, nonBlank: true }), text({ lengthMax: 255, nonBlank: true }))
    .map(([provider, id]) => `${provider}:${id}`),
  failureReason: text({ lengthMax: 500, nonBlank: true }),
  deliveredNote: fc.option(text({ lengthMax: 2000 }), { nil: null }),
  proofUrl: fc.option(text({ lengthMax: 2048 }), { nil: null }),
  closingNote: fc.option(text({ lengthMax: 2000 }), { nil: null }),
  closing: fc.constantFrom('released' as const, 'refunded' as const, 'cancelled' as const),
});

export interface BuiltEscrow {
  appends: RunAppend[];
  builder: EscrowEventBuilder;
  milestoneId: string;
  spendPaymentId: string;
  payoutPaymentId: string;
  depositIds: string[];
}

type Data<T extends EscrowEvent['type']> = Extract<EscrowEvent, { type: T }>['data'];

/**
 * The escrow events of one run, as the decider would append them: a 100.00 USD escrow, one
 * milestone of 40.00, a deposit that fails and one that is confirmed (its reference recorded
 * first), a payee and a 10.00 spend to it (sent, settled), the milestone's payout (sent, then
 * failed by the PSP), and the escrow closed with a note. Balances follow API-RULES.md §3, so the
 * ledger's invariants hold and only the free-form values vary.
 */
export function buildEscrow(i: EscrowInputs): BuiltEscrow {
  const b = new EscrowEventBuilder('USD', 2);
  const e = <T extends EscrowEvent['type']>(type: T, data: Data<T>) => event(type, data, i.meta);
  const base = { escrowId: b.escrowId, currency: 'USD' };
  const milestoneId = randomUUID();
  const failedDeposit = randomUUID();
  const deposit = randomUUID();
  const spend = {
    paymentId: randomUUID(),
    kind: 'spend' as const,
    amount: '10.00',
    milestoneId: null,
    beneficiaryId: i.payeeRef,
  };
  const payout = {
    paymentId: randomUUID(),
    kind: 'payout' as const,
    amount: '40.00',
    milestoneId,
    beneficiaryId: b.providerId,
  };
  const events: NewEvent[] = [
    e('escrow.created.v1', {
      ...base,
      clientId: b.clientId,
      providerId: b.providerId,
      amountTotal: '100.00',
      scale: 2,
      releaseConditions: { ...i.releaseConditions, on_deadline: i.onDeadline },
      deadlineAt: '2027-12-31T00:00:00.000Z',
      domain: 'private',
      createdAt: AT,
    }),
    e('milestone.added.v1', {
      ...base,
      milestoneId,
      label: i.milestoneLabel,
      amount: '40.00',
      sequenceIndex: 1,
      status: 'WAITING',
      proofKind: 'PHOTO',
      proofRequirements: i.proofRequirements,
      geofence: i.geofence,
      addedAt: AT,
    }),
    e('escrow.deposit_initiated.v1', {
      ...base,
      depositId: failedDeposit,
      amount: '5.00',
      initiatedAt: AT,
    }),
    e('escrow.deposit_failed.v1', {
      ...base,
      depositId: failedDeposit,
      amount: '5.00',
      reason: i.declineReason,
      failedAt: AT,
    }),
    e('escrow.deposit_initiated.v1', {
      ...base,
      depositId: deposit,
      amount: '100.00',
      pspRef: i.depositPspRef,
      initiatedAt: AT,
    }),
    e('escrow.deposit_reference_recorded.v1', {
      ...base,
      depositId: deposit,
      pspRef: i.recordedPspRef,
      recordedAt: AT,
    }),
    e('escrow.deposit_confirmed.v1', {
      ...base,
      depositId: deposit,
      amount: '100.00',
      pspRef: i.recordedPspRef,
      afterClose: false,
      heldAfter: '100.00',
      confirmedAt: AT,
    }),
    e('escrow.funded.v1', { ...base, amountTotal: '100.00', fundedAt: AT }),
    e('payee.allowed.v1', {
      ...base,
      payeeRef: i.payeeRef,
      label: i.payeeLabel,
      dailyLimit: null,
      totalLimit: '50.00',
      allowedAt: AT,
    }),
    e('payment.initiated.v1', {
      ...base,
      ...spend,
      reason: 'usage_spend',
      retryOf: null,
      depositId: null,
      note: i.spendNote,
      heldAfter: '90.00',
      initiatedAt: AT,
    }),
    e('payment.sent.v1', { ...base, ...spend, pspRef: i.sentPspRef, sentAt: AT }),
    e('payment.settled.v1', {
      ...base,
      ...spend,
      pspRef: i.sentPspRef,
      webhookEventId: i.settledWebhook,
      settledAt: AT,
    }),
    e('milestone.approved.v1', {
      escrowId: b.escrowId,
      milestoneId,
      source: 'release',
      approvedAt: AT,
    }),
    e('payment.initiated.v1', {
      ...base,
      ...payout,
      reason: 'milestone_release',
      retryOf: null,
      depositId: null,
      heldAfter: '50.00',
      initiatedAt: AT,
    }),
    e('payment.sent.v1', {
      ...base,
      ...payout,
      pspRef: `${i.sentPspRef.slice(0, 250)}-pay`,
      sentAt: AT,
    }),
    e('payment.failed.v1', {
      ...base,
      ...payout,
      reason: i.failureReason,
      afterSent: true,
      pspRef: `${i.sentPspRef.slice(0, 250)}-pay`,
      webhookEventId: i.settledWebhook,
      failedAt: AT,
    }),
    e('escrow.delivered.v1', {
      escrowId: b.escrowId,
      note: i.deliveredNote,
      proofUrl: i.proofUrl,
      deliveredAt: AT,
    }),
    closing(i, b, e),
  ];
  return {
    appends: [{ streamId: b.streamId, events }],
    builder: b,
    milestoneId,
    spendPaymentId: spend.paymentId,
    payoutPaymentId: payout.paymentId,
    depositIds: [failedDeposit, deposit],
  };
}

function closing(
  i: EscrowInputs,
  b: EscrowEventBuilder,
  e: <T extends EscrowEvent['type']>(type: T, data: Data<T>) => NewEvent,
): NewEvent {
  const base = { escrowId: b.escrowId, currency: 'USD' };
  switch (i.closing) {
    case 'released':
      return e('escrow.released.v1', {
        ...base,
        reason: 'client_approve',
        paymentIds: [],
        note: i.closingNote,
        releasedAt: AT,
      });
    case 'refunded':
      return e('escrow.refunded.v1', {
        ...base,
        reason: 'client_reject',
        refundTotal: '0.00',
        refundPaymentId: null,
        note: i.closingNote,
        refundedAt: AT,
      });
    case 'cancelled':
      return e('escrow.cancelled.v1', {
        ...base,
        reason: 'deadline',
        refundsDue: [],
        refundTotal: '0.00',
        refundPaymentId: null,
        pendingDepositIds: [],
        note: i.closingNote,
        cancelledAt: AT,
      });
  }
}

// ---------------------------------------------------------------------------------------------
// Proofs: submitted (client metadata, OCR'd invoice fields, EXIF device), OCR, AI, review.

export interface ProofInputs {
  meta: MetaInputs;
  proofType: string;
  storageUrl: string | null;
  metadata: Record<string, unknown> | null;
  device: { make: string | null; model: string | null; software: string | null } | null;
  clientMismatch: string[];
  invoice: {
    invoiceNumber: string | null;
    invoiceDate: string | null;
    ibanLast4: string | null;
    supplierName: string | null;
  } | null;
  ocrFields: Record<string, string | null>;
  ocrReason: string | null;
  ocrEngine: string | null;
  aiExplanation: string;
  aiFlags: string[];
  aiReason: string | null;
  aiScore: string | null;
  reviewNote: string | null;
  reviewedBy: string;
  outcome: 'approved' | 'rejected' | 'superseded' | 'reopened';
}

const PROOF_METADATA_CHARACTERS_MAX = 16_384;
const EXIF_TEXT_LENGTH_MAX = 128;

const exifText = fc.option(text({ lengthMax: EXIF_TEXT_LENGTH_MAX, nonBlank: true }), {
  nil: null,
});

export const proofInputs: fc.Arbitrary<ProofInputs> = fc.record({
  meta: metaInputs,
  proofType: text({ lengthMax: 50, nonBlank: true }),
  storageUrl: fc.option(
    text({ lengthMax: 1016 }).map((s) => `https://${s}`),
    { nil: null },
  ),
  // Client metadata as the decider bounds it: 16384 characters of canonical JSON.
  metadata: fc.option(
    jsonObject({ stringLengthMax: 12_000, depthMax: 30, arrayLengthMax: 1_500 }).filter(
      (m) => canonicalJson(m).length <= PROOF_METADATA_CHARACTERS_MAX,
    ),
    { nil: null },
  ),
  device: fc.option(fc.record({ make: exifText, model: exifText, software: exifText }), {
    nil: null,
  }),
  clientMismatch: fc.array(text({ lengthMax: 40 }), { maxLength: 3 }),
  invoice: fc.option(
    fc.record({
      invoiceNumber: fc.option(text({ lengthMax: 200 }), { nil: null }),
      invoiceDate: fc.option(text({ lengthMax: 40 }), { nil: null }),
      ibanLast4: fc.option(text({ lengthMax: 8 }), { nil: null }),
      supplierName: fc.option(text({ lengthMax: 200 }), { nil: null }),
    }),
    { nil: null },
  ),
  ocrFields: fc.dictionary(
    text({ lengthMax: 30 }),
    fc.option(text({ lengthMax: 300 }), { nil: null }),
    { maxKeys: 5 },
  ),
  ocrReason: fc.option(text({ lengthMax: 200 }), { nil: null }),
  ocrEngine: fc.option(text({ lengthMax: 40 }), { nil: null }),
  aiExplanation: text({ lengthMax: 2000 }),
  aiFlags: fc.array(text({ lengthMax: 64 }), { maxLength: 5 }),
  aiReason: fc.option(text({ lengthMax: 300 }), { nil: null }),
  aiScore: fc.option(
    fc.integer({ min: 0, max: 1000 }).map((n) => (n / 1000).toFixed(3)),
    { nil: null },
  ),
  reviewNote: fc.option(text({ lengthMax: 2000 }), { nil: null }),
  reviewedBy: text({ lengthMax: 64, nonBlank: true }),
  outcome: fc.constantFrom(
    'approved' as const,
    'rejected' as const,
    'superseded' as const,
    'reopened' as const,
  ),
});

export interface BuiltProof {
  appends: RunAppend[];
  escrowId: string;
  proofId: string;
}

/** An escrow with one milestone, a proof submitted on it, its OCR and AI results and a review. */
export function buildProof(i: ProofInputs): BuiltProof {
  const b = new EscrowEventBuilder('USD', 2);
  const e = <T extends EscrowEvent['type']>(type: T, data: Data<T>) => event(type, data, i.meta);
  const milestoneId = randomUUID();
  const proofId = randomUUID();
  const ids = { escrowId: b.escrowId, proofId };
  const evidence: ProofEvidence = {
    source: 'claim',
    captureTime: null,
    captureTimeSource: null,
    missingTimezone: false,
    gps: null,
    clientMismatch: i.clientMismatch,
    device: i.device,
  };
  const invoice: ProofInvoice | null = i.invoice && {
    totalAmount: '40.00',
    currency: 'USD',
    ...i.invoice,
  };
  const events: NewEvent[] = [
    b.created('100.00'),
    e('milestone.added.v1', {
      escrowId: b.escrowId,
      currency: 'USD',
      milestoneId,
      label: 'milestone',
      amount: '40.00',
      sequenceIndex: 1,
      status: 'WAITING',
      proofKind: 'INVOICE',
      proofRequirements: {},
      geofence: null,
      addedAt: AT,
    }),
    e('proof.submitted.v1', {
      ...ids,
      milestoneId,
      sequenceIndex: 1,
      proofType: i.proofType,
      fileId: null,
      storageUrl: i.storageUrl,
      sha256: randomBytes(32).toString('hex'),
      phash: null,
      metadata: i.metadata,
      evidence,
      invoice,
      nearDuplicateOf: null,
      flags: ['client_metadata_mismatch'],
      reviewReasons: ['a person must look'],
      submittedBy: { userId: b.providerId, actor: 'koba_abcdef' },
      submittedAt: AT,
    }),
    e('proof.ocr_completed.v1', {
      ...ids,
      status: 'success',
      engine: i.ocrEngine,
      fields: i.ocrFields,
      filled: Object.keys(i.ocrFields),
      reason: i.ocrReason,
      completedAt: AT,
    }),
    e('proof.ai_assessed.v1', {
      ...ids,
      riskLevel: 'warning',
      score: i.aiScore,
      flags: i.aiFlags,
      explanation: i.aiExplanation,
      reason: i.aiReason,
      model: 'claude-sonnet-4-5',
      checkedAt: AT,
    }),
    ...review(i, b, milestoneId, proofId, e),
  ];
  return { appends: [{ streamId: b.streamId, events }], escrowId: b.escrowId, proofId };
}

function review(
  i: ProofInputs,
  b: EscrowEventBuilder,
  milestoneId: string,
  proofId: string,
  e: <T extends EscrowEvent['type']>(type: T, data: Data<T>) => NewEvent,
): NewEvent[] {
  const ids = { escrowId: b.escrowId, proofId, milestoneId };
  switch (i.outcome) {
    case 'approved':
      return [
        e('proof.approved.v1', {
          ...ids,
          by: 'review',
          note: i.reviewNote,
          reviewedBy: i.reviewedBy,
          approvedAt: AT,
        }),
      ];
    case 'rejected':
      return [
        e('proof.rejected.v1', {
          ...ids,
          note: i.reviewNote,
          reviewedBy: i.reviewedBy,
          rejectedAt: AT,
        }),
        e('milestone.reopened.v1', { escrowId: b.escrowId, milestoneId, proofId, reopenedAt: AT }),
      ];
    case 'superseded':
      return [e('proof.superseded.v1', { ...ids, reason: 'escrow_closed', supersededAt: AT })];
    case 'reopened':
      return [
        e('proof.approved.v1', {
          ...ids,
          by: 'auto',
          note: null,
          reviewedBy: null,
          approvedAt: AT,
        }),
      ];
  }
}

// ---------------------------------------------------------------------------------------------
// Proof files: what the upload read from the bytes (EXIF text is the file's, hence the client's).

export interface ProofFileInputs {
  meta: MetaInputs;
  exif: {
    gps_lat: number | null;
    gps_lng: number | null;
    gps_time: string | null;
    capture_time: string | null;
    capture_offset: string | null;
    make: string | null;
    model: string | null;
    software: string | null;
  } | null;
  size: number;
  width: number | null;
  height: number | null;
}

export const proofFileInputs: fc.Arbitrary<ProofFileInputs> = fc.record({
  meta: metaInputs,
  exif: fc.option(
    fc.record({
      gps_lat: fc.option(fc.double({ min: -90, max: 90, noNaN: true }), { nil: null }),
      gps_lng: fc.option(fc.double({ min: -180, max: 180, noNaN: true }), { nil: null }),
      gps_time: fc.option(fc.constant('2026-11-27T13:30:05.000Z'), { nil: null }),
      capture_time: exifText,
      capture_offset: exifText,
      make: exifText,
      model: exifText,
      software: exifText,
    }),
    { nil: null },
  ),
  size: fc.integer({ min: 1, max: 15 * 1024 * 1024 }),
  width: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: null }),
  height: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: null }),
});

export function buildProofFile(i: ProofFileInputs): { appends: RunAppend[]; fileId: string } {
  const fileId = randomUUID();
  const data = {
    fileId,
    sha256: randomBytes(32).toString('hex'),
    size: i.size,
    mime: 'image/jpeg',
    kind: 'image',
    width: i.width,
    height: i.height,
    pageCount: null,
    phash: randomBytes(8).toString('hex'),
    exif: i.exif,
    uploaderUserId: randomUUID(),
    uploaderKeyId: randomUUID(),
    uploadedAt: AT,
  };
  return {
    appends: [
      { streamId: `proof-file-${fileId}`, events: [event('proof_file.uploaded.v1', data, i.meta)] },
    ],
    fileId,
  };
}

// ---------------------------------------------------------------------------------------------
// PSP webhooks: every field of the signed body is the PSP's, and the whole body is kept.

export interface WebhookInputs {
  meta: MetaInputs;
  provider: string;
  eventId: string;
  kind: string;
  pspRef: string | null;
  headerPspRef: string | null;
  payload: Record<string, unknown>;
  outcome: 'applied' | 'ignored' | 'parked';
  detail: string | null;
}

export const webhookInputs: fc.Arbitrary<WebhookInputs> = fc.record({
  meta: metaInputs,
  provider: text({ lengthMax: 64, nonBlank: true }),
  eventId: text({ lengthMax: 255, nonBlank: true }),
  kind: text({ lengthMax: 100, nonBlank: true }),
  pspRef: fc.option(text({ lengthMax: 255, nonBlank: true }), { nil: null }),
  headerPspRef: fc.option(text({ lengthMax: 255, nonBlank: true }), { nil: null }),
  payload: jsonObject(bigJson),
  outcome: fc.constantFrom('applied' as const, 'ignored' as const, 'parked' as const),
  detail: fc.option(text({ lengthMax: 400 }), { nil: null }),
});

export function buildWebhook(i: WebhookInputs): { appends: RunAppend[]; streamId: string } {
  const streamId = `psp-webhook-${randomBytes(32).toString('hex')}`;
  // The body keeps its own spelling of the reference too (masked in the audit trail).
  const payload = {
    ...i.payload,
    event_id: i.eventId,
    type: i.kind,
    ...(i.pspRef !== null ? { psp_ref: i.pspRef } : {}),
  };
  const received = event(
    'psp.webhook_received.v1',
    {
      provider: i.provider,
      eventId: i.eventId,
      kind: i.kind,
      pspRef: i.pspRef,
      ...(i.headerPspRef !== null ? { headerPspRef: i.headerPspRef } : {}),
      payload,
      signedWith: 'primary',
      receivedAt: AT,
    },
    i.meta,
  );
  const processed = event(
    'psp.webhook_processed.v1',
    {
      provider: i.provider,
      eventId: i.eventId,
      outcome: i.outcome,
      detail: i.detail,
      target: null,
      processedAt: AT,
    },
    i.meta,
  );
  const appends: RunAppend[] = [{ streamId, events: [received, processed] }];
  if (i.outcome === 'parked' && i.pspRef !== null) {
    const parked = event(
      'psp.webhook_parked.v1',
      {
        webhookStream: streamId,
        provider: i.provider,
        eventId: i.eventId,
        pspRef: i.pspRef,
        parkedAt: AT,
      },
      i.meta,
    );
    appends.push({ streamId: `psp-ref-${randomBytes(32).toString('hex')}`, events: [parked] });
  }
  return { appends, streamId };
}

// ---------------------------------------------------------------------------------------------
// Alerts: the message and payload carry what the refused request named (payee refs, amounts).

export interface AlertInputs {
  meta: MetaInputs;
  type: AlertType;
  message: string;
  payload: Record<string, unknown>;
  withUser: boolean;
}

export const alertInputs: fc.Arbitrary<AlertInputs> = fc.record({
  meta: metaInputs,
  type: fc.constantFrom(...alertTypes),
  message: text({ lengthMax: 2000, nonBlank: true }),
  payload: jsonObject(bigJson),
  withUser: fc.boolean(),
});

export function buildAlert(i: AlertInputs): { appends: RunAppend[]; alertId: string } {
  const alertId = randomUUID();
  const data = {
    alertId,
    type: i.type,
    message: i.message,
    actorUserId: i.withUser ? randomUUID() : null,
    payload: i.payload,
    raisedAt: AT,
  };
  return {
    appends: [{ streamId: `alert-${alertId}`, events: [event('alert.raised.v1', data, i.meta)] }],
    alertId,
  };
}

// ---------------------------------------------------------------------------------------------
// Identity: usernames, emails and key names.

export interface IdentityInputs {
  meta: MetaInputs;
  username: string;
  email: string;
  keyName: string;
  scope: Scope;
  deactivate: boolean;
  revoke: boolean;
}

export const identityInputs: fc.Arbitrary<IdentityInputs> = fc.record({
  meta: metaInputs,
  username: text({ lengthMax: 100, nonBlank: true }),
  email: fc
    .tuple(text({ lengthMax: 120, nonBlank: true }), text({ lengthMax: 120, nonBlank: true }))
    .map(([l, d]) => `${l}@${d}`),
  keyName: text({ lengthMax: 100, nonBlank: true }),
  scope: fc.constantFrom<Scope>('sender', 'support', 'auditor', 'admin'),
  deactivate: fc.boolean(),
  revoke: fc.boolean(),
});

export function buildIdentity(i: IdentityInputs): {
  appends: RunAppend[];
  userId: string;
  keyId: string;
} {
  const userId = randomUUID();
  const keyId = randomUUID();
  const userEvents = [
    event(
      'user.registered.v1',
      {
        userId,
        username: i.username,
        email: i.email,
        isActive: true,
        publicTag: null,
        registeredAt: AT,
      },
      i.meta,
    ),
    ...(i.deactivate
      ? [event('user.updated.v1', { userId, changes: { isActive: false }, updatedAt: AT }, i.meta)]
      : []),
  ];
  const keyEvents = [
    event(
      'apikey.issued.v1',
      {
        keyId,
        name: i.keyName,
        prefix: `koba_${keyId.slice(0, 6)}${randomBytes(2).toString('hex')}`,
        scope: i.scope,
        userId,
        keyHash: randomBytes(32).toString('hex'),
        expiresAt: null,
        issuedAt: AT,
      },
      i.meta,
    ),
    ...(i.revoke ? [event('apikey.revoked.v1', { keyId, revokedAt: AT }, i.meta)] : []),
  ];
  return {
    appends: [
      { streamId: `user-${userId}`, events: userEvents },
      { streamId: `apikey-${keyId}`, events: keyEvents },
    ],
    userId,
    keyId,
  };
}

// ---------------------------------------------------------------------------------------------
// The spend catalogue: category codes and labels, merchant names.

export interface CatalogueInputs {
  meta: MetaInputs;
  code: string;
  label: string;
  merchantName: string;
  certified: boolean;
}

export const catalogueInputs: fc.Arbitrary<CatalogueInputs> = fc.record({
  meta: metaInputs,
  code: text({ lengthMax: 64, nonBlank: true }),
  label: text({ lengthMax: 255, nonBlank: true }),
  merchantName: text({ lengthMax: 255, nonBlank: true }),
  certified: fc.boolean(),
});

export function buildCatalogue(i: CatalogueInputs): {
  appends: RunAppend[];
  categoryId: string;
  merchantId: string;
  ownerId: string;
} {
  const categoryId = randomUUID();
  const merchantId = randomUUID();
  const ownerId = randomUUID();
  return {
    appends: [
      {
        streamId: `spend_category-${categoryId}`,
        events: [
          event(
            'spend.category_created.v1',
            { categoryId, code: i.code, label: i.label, createdAt: AT },
            i.meta,
          ),
        ],
      },
      {
        streamId: `merchant-${merchantId}`,
        events: [
          event(
            'spend.merchant_created.v1',
            {
              merchantId,
              name: i.merchantName,
              categoryId,
              isCertified: i.certified,
              createdAt: AT,
            },
            i.meta,
          ),
        ],
      },
      {
        streamId: `usage_allow-${ownerId}`,
        events: [
          event(
            'spend.usage_allowed.v1',
            { ownerId, merchantId, categoryId: null, allowedAt: AT },
            i.meta,
          ),
          event(
            'spend.usage_allowed.v1',
            { ownerId, merchantId: null, categoryId, allowedAt: AT },
            i.meta,
          ),
        ],
      },
    ],
    categoryId,
    merchantId,
    ownerId,
  };
}

// ---------------------------------------------------------------------------------------------
// Mandates and transfers hold no free text: their inputs are amounts at the edges of their
// currency's scale and size, and the clients' metadata.

/** A positive decimal at `scale` with up to 18 integer digits (what Money accepts). */
export function amountAt(scale: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }),
      fc.bigInt({ min: 0n, max: 10n ** BigInt(scale) - 1n }),
    )
    .filter(([int, frac]) => int > 0n || frac > 0n)
    .map(([int, frac]) =>
      scale === 0 ? int.toString() : `${int}.${frac.toString().padStart(scale, '0')}`,
    );
}

export interface MandateInputs {
  meta: MetaInputs;
  currency: { code: string; scale: number };
  total: string;
  spent: string;
  end: 'consumed' | 'expired';
  reason: 'cleanup' | 'scheduler' | 'replaced';
}

const CURRENCIES = [
  { code: 'USD', scale: 2 },
  { code: 'JPY', scale: 0 },
  { code: 'KWD', scale: 3 },
];

export const mandateInputs: fc.Arbitrary<MandateInputs> = fc
  .constantFrom(...CURRENCIES)
  .chain((currency) =>
    fc.record({
      meta: metaInputs,
      currency: fc.constant(currency),
      total: amountAt(currency.scale),
      spent: amountAt(currency.scale),
      end: fc.constantFrom('consumed' as const, 'expired' as const),
      reason: fc.constantFrom('cleanup' as const, 'scheduler' as const, 'replaced' as const),
    }),
  );

export function buildMandate(i: MandateInputs): {
  appends: RunAppend[];
  mandateId: string;
  purchaseId: string;
} {
  const mandateId = randomUUID();
  const purchaseId = randomUUID();
  const parties = { senderId: randomUUID(), beneficiaryId: randomUUID() };
  const c = i.currency;
  const events = [
    event(
      'mandate.created.v1',
      {
        mandateId,
        ...parties,
        totalAmount: i.total,
        currency: c.code,
        scale: c.scale,
        allowedCategoryId: null,
        allowedMerchantId: null,
        expiresAt: '2027-01-01T00:00:00.000Z',
        createdAt: AT,
      },
      i.meta,
    ),
    event(
      'mandate.purchase_recorded.v1',
      {
        mandateId,
        purchaseId,
        ...parties,
        merchantId: randomUUID(),
        categoryId: null,
        amount: i.spent,
        currency: c.code,
        totalSpentAfter: i.spent,
        recordedAt: AT,
      },
      i.meta,
    ),
    i.end === 'consumed'
      ? event('mandate.consumed.v1', { mandateId, totalSpent: i.spent, consumedAt: AT }, i.meta)
      : event('mandate.expired.v1', { mandateId, expiredAt: AT, reason: i.reason }, i.meta),
  ];
  return { appends: [{ streamId: `mandate-${mandateId}`, events }], mandateId, purchaseId };
}

export interface TransferInputs {
  meta: MetaInputs;
  currency: { code: string; scale: number };
  amount: string;
  level: 'BASIC' | 'GOLD';
  removeAfter: boolean;
}

export const transferInputs: fc.Arbitrary<TransferInputs> = fc
  .constantFrom(...CURRENCIES)
  .chain((currency) =>
    fc.record({
      meta: metaInputs,
      currency: fc.constant(currency),
      amount: amountAt(currency.scale),
      level: fc.constantFrom('BASIC' as const, 'GOLD' as const),
      removeAfter: fc.boolean(),
    }),
  );

export function buildTransfer(i: TransferInputs): {
  appends: RunAppend[];
  ownerId: string;
  receiverId: string;
  transactionId: string;
} {
  const ownerId = randomUUID();
  const receiverId = randomUUID();
  const transactionId = randomUUID();
  return {
    appends: [
      {
        streamId: `allowlist-${ownerId}`,
        events: [
          event(
            'allowlist.recipient_added.v1',
            { ownerId, recipientId: receiverId, addedAt: AT },
            i.meta,
          ),
          ...(i.removeAfter
            ? [
                event(
                  'allowlist.recipient_removed.v1',
                  { ownerId, recipientId: receiverId, removedAt: AT },
                  i.meta,
                ),
              ]
            : []),
        ],
      },
      {
        streamId: `certification-${receiverId}`,
        events: [
          event(
            'certification.updated.v1',
            { userId: receiverId, level: i.level, certifiedAt: AT },
            i.meta,
          ),
        ],
      },
      {
        streamId: `transaction-${transactionId}`,
        events: [
          event(
            'transaction.completed.v1',
            {
              transactionId,
              senderId: ownerId,
              receiverId,
              amount: i.amount,
              currency: i.currency.code,
              scale: i.currency.scale,
              authorizedBy: 'allowlist',
              completedAt: AT,
            },
            i.meta,
          ),
        ],
      },
    ],
    ownerId,
    receiverId,
    transactionId,
  };
}

// ---------------------------------------------------------------------------------------------
// Any run: one domain's events, for the projectors that see every event (audit_log, event_stats).

export type AnyRunInputs =
  | { domain: 'escrow'; inputs: EscrowInputs }
  | { domain: 'proof'; inputs: ProofInputs }
  | { domain: 'proof_file'; inputs: ProofFileInputs }
  | { domain: 'webhook'; inputs: WebhookInputs }
  | { domain: 'alert'; inputs: AlertInputs }
  | { domain: 'identity'; inputs: IdentityInputs }
  | { domain: 'catalogue'; inputs: CatalogueInputs }
  | { domain: 'mandate'; inputs: MandateInputs }
  | { domain: 'transfer'; inputs: TransferInputs };

export const anyRunInputs: fc.Arbitrary<AnyRunInputs> = fc.oneof(
  escrowInputs.map((inputs) => ({ domain: 'escrow' as const, inputs })),
  proofInputs.map((inputs) => ({ domain: 'proof' as const, inputs })),
  proofFileInputs.map((inputs) => ({ domain: 'proof_file' as const, inputs })),
  webhookInputs.map((inputs) => ({ domain: 'webhook' as const, inputs })),
  alertInputs.map((inputs) => ({ domain: 'alert' as const, inputs })),
  identityInputs.map((inputs) => ({ domain: 'identity' as const, inputs })),
  catalogueInputs.map((inputs) => ({ domain: 'catalogue' as const, inputs })),
  mandateInputs.map((inputs) => ({ domain: 'mandate' as const, inputs })),
  transferInputs.map((inputs) => ({ domain: 'transfer' as const, inputs })),
);

/** The events of any run, with fresh ids. */
export function buildAny(run: AnyRunInputs): RunAppend[] {
  switch (run.domain) {
    case 'escrow':
      return buildEscrow(run.inputs).appends;
    case 'proof':
      return buildProof(run.inputs).appends;
    case 'proof_file':
      return buildProofFile(run.inputs).appends;
    case 'webhook':
      return buildWebhook(run.inputs).appends;
    case 'alert':
      return buildAlert(run.inputs).appends;
    case 'identity':
      return buildIdentity(run.inputs).appends;
    case 'catalogue':
      return buildCatalogue(run.inputs).appends;
    case 'mandate':
      return buildMandate(run.inputs).appends;
    case 'transfer':
      return buildTransfer(run.inputs).appends;
  }
}
