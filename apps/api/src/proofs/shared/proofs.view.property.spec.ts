/**
 * Properties of the proof views (issue 12): proofs folded from events and `proofs` rows holding
 * arbitrary client metadata, proof types, storage URLs, OCR'd invoice fields, AI text and review
 * notes come out as well-formed JSON that survives a round trip; the metadata is exactly the
 * masked metadata, every other value is unchanged.
 */
import fc from 'fast-check';
import { escrowDecider } from '@kob/domain';
import { buildProof, proofInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, fold, stored, viewProblems } from '@test/view-property';
import { maskProofMetadata } from './proof-mask';
import { proofRowView, proofStateView } from './proofs.view';

describe('proof views under arbitrary client, OCR and AI values', () => {
  it('views of proofs folded from events are well-formed and keep their type', () => {
    fc.assert(
      fc.property(proofInputs, (inputs) => {
        const state = fold(escrowDecider, buildProof(inputs).appends[0]!.events);
        const views = state.proofs.map((p) => proofStateView(state, p));
        expect(viewProblems(views)).toEqual([]);
        expect(views.map((v) => v.type)).toEqual([inputs.proofType]);
      }),
      propertyParams(20),
    );
  });

  it('views of proofs rows are well-formed, mask the metadata and keep every other value', () => {
    fc.assert(
      fc.property(proofInputs, (i) => {
        const metadata = i.metadata === null ? null : stored(i.metadata);
        const row = {
          id: 'p',
          escrow_id: 'e',
          milestone_id: 'm',
          milestone_idx: 1,
          type: i.proofType,
          file_id: null,
          storage_url: i.storageUrl,
          sha256: 'a'.repeat(64),
          metadata,
          status: 'PENDING',
          review_reasons: i.clientMismatch,
          flags: i.aiFlags,
          evidence: stored({ device: i.device, clientMismatch: i.clientMismatch }),
          near_duplicate_of: null,
          invoice_total_amount: '40.00',
          invoice_currency: 'USD',
          invoice_number: i.invoice?.invoiceNumber ?? null,
          invoice_date: i.invoice?.invoiceDate ?? null,
          ocr_status: 'success',
          ai_risk_level: 'warning',
          ai_score: i.aiScore,
          ai_flags: i.aiFlags,
          ai_explanation: i.aiExplanation,
          ai_checked_at: A_TIME,
          ai_reviewed_by: i.reviewedBy,
          ai_reviewed_at: A_TIME,
          decision_note: i.reviewNote,
          created_at: A_TIME,
          updated_at: A_TIME,
        };
        const view = proofRowView(row);
        expect(viewProblems(view)).toEqual([]);
        expect(view.metadata).toEqual(maskProofMetadata(metadata));
        const { metadata: _masked, ...rest } = view;
        const { metadata: _raw, ...restRow } = row;
        for (const key of [
          'type',
          'storage_url',
          'invoice_number',
          'invoice_date',
          'ai_explanation',
          'ai_flags',
          'ai_reviewed_by',
          'decision_note',
          'evidence',
        ] as const) {
          expect(rest[key]).toEqual(restRow[key]);
        }
      }),
      propertyParams(40),
    );
  });
});
