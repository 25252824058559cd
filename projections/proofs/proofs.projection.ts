/**
 * Proofs for queries: one row per proof, moved along the proof events of its escrow stream
 * (submitted, OCR, AI assessment, approved, rejected, superseded). The escrow's parties come
 * from the escrow's creation event, which this projector remembers in `proof_escrow_parties`.
 */
import type { Transaction } from 'kysely';
import type { EscrowEvent } from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';
import type { ReadModels } from '../read-models';
import { insertOnce, stampedUpdatesOf } from '../projector-shell';

/** Rows per insert of escrow parties. */
const PARTIES_ROWS_MAX = 1000;

/** Moves the proof's row along, stamped with the event's time. */
const update = stampedUpdatesOf('proofs');

type ProofSubmitted = Extract<EscrowEvent, { type: 'proof.submitted.v1' }>['data'];

/** A submitted proof's row, with its escrow's parties (remembered from the escrow's creation). */
async function insertProof(trx: Transaction<ReadModels>, d: ProofSubmitted): Promise<void> {
  const parties = await trx
    .selectFrom('proof_escrow_parties')
    .selectAll()
    .where('escrow_id', '=', d.escrowId)
    .executeTakeFirstOrThrow();
  await insertOnce(trx, 'proofs', {
    id: d.proofId,
    escrow_id: d.escrowId,
    milestone_id: d.milestoneId,
    milestone_idx: d.sequenceIndex,
    client_id: parties.client_id,
    provider_id: parties.provider_id,
    type: d.proofType,
    file_id: d.fileId,
    storage_url: d.storageUrl,
    sha256: d.sha256,
    phash: d.phash,
    metadata: d.metadata === null ? null : JSON.stringify(d.metadata),
    evidence: JSON.stringify(d.evidence),
    near_duplicate_of: d.nearDuplicateOf ?? null,
    status: 'PENDING',
    review_reasons: JSON.stringify(d.reviewReasons),
    flags: JSON.stringify(d.flags),
    invoice_total_amount: d.invoice?.totalAmount ?? null,
    invoice_currency: d.invoice?.currency ?? null,
    invoice_number: d.invoice?.invoiceNumber ?? null,
    invoice_date: d.invoice?.invoiceDate ?? null,
    submitted_by: d.submittedBy.actor,
    created_at: d.submittedAt,
    updated_at: d.submittedAt,
  });
}

async function applyOne(trx: Transaction<ReadModels>, e: EscrowEvent): Promise<void> {
  switch (e.type) {
    case 'escrow.created.v1':
      await insertOnce(
        trx,
        'proof_escrow_parties',
        {
          escrow_id: e.data.escrowId,
          client_id: e.data.clientId,
          provider_id: e.data.providerId,
        },
        'escrow_id',
      );
      return;
    case 'proof.submitted.v1':
      return insertProof(trx, e.data);
    case 'proof.ocr_completed.v1':
      return update(trx, e.data.proofId, { ocr_status: e.data.status }, e.data.completedAt);
    case 'proof.ai_assessed.v1': {
      const d = e.data;
      const change = {
        ai_risk_level: d.riskLevel,
        ai_score: d.score,
        ai_flags: JSON.stringify(d.flags),
        ai_explanation: d.explanation,
        ai_checked_at: d.checkedAt,
      };
      return update(trx, d.proofId, change, d.checkedAt);
    }
    case 'proof.approved.v1': {
      const d = e.data;
      const review =
        d.by === 'review'
          ? { ai_reviewed_by: d.reviewedBy, ai_reviewed_at: d.approvedAt, decision_note: d.note }
          : {};
      return update(trx, d.proofId, { status: 'APPROVED', ...review }, d.approvedAt);
    }
    case 'proof.rejected.v1': {
      const d = e.data;
      return update(
        trx,
        d.proofId,
        {
          status: 'REJECTED',
          ai_reviewed_by: d.reviewedBy,
          ai_reviewed_at: d.rejectedAt,
          decision_note: d.note,
        },
        d.rejectedAt,
      );
    }
    case 'proof.superseded.v1':
      return update(trx, e.data.proofId, { status: 'SUPERSEDED' }, e.data.supersededAt);
    default:
      return;
  }
}

export const proofsProjection = {
  name: 'proofs',
  version: 2,
  tables: ['proofs', 'proof_escrow_parties'],
  async apply(trx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void> {
    // Escrow creations are gathered and written together, before any proof event that may read
    // its parties.
    let parties: { escrow_id: string; client_id: string; provider_id: string }[] = [];
    const flush = async () => {
      if (parties.length === 0) return;
      await insertOnce(trx, 'proof_escrow_parties', parties, 'escrow_id');
      parties = [];
    };
    for (const recorded of events) {
      if (!recorded.streamId.startsWith('escrow-')) continue;
      const e = recorded as unknown as EscrowEvent;
      if (e.type === 'escrow.created.v1') {
        parties.push({
          escrow_id: e.data.escrowId,
          client_id: e.data.clientId,
          provider_id: e.data.providerId,
        });
        if (parties.length >= PARTIES_ROWS_MAX) await flush();
        continue;
      }
      if (!e.type.startsWith('proof.')) continue;
      await flush();
      await applyOne(trx, e);
    }
    await flush();
  },
};
