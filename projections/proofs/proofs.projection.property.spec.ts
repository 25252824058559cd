/**
 * Property (issue 12): the proofs projector applies every proof event whatever the provider put in
 * its metadata (any JSON shape within 16384 characters), proof type and storage URL, whatever the
 * file's EXIF, OCR and the AI advisor produced and whatever reviewers wrote; no projector halts
 * and the row keeps every value as stored.
 */
import fc from 'fast-check';
import { buildProof, injections, proofInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

const STATUS_AFTER = {
  approved: 'APPROVED',
  rejected: 'REJECTED',
  superseded: 'SUPERSEDED',
  reopened: 'APPROVED',
} as const;

describe('proofs projector under arbitrary client, file, OCR and AI input', () => {
  it('never halts and keeps metadata, evidence and review text as stored', async () => {
    await fc.assert(
      fc.asyncProperty(proofInputs, injections, async (inputs, injection) => {
        const built = buildProof(inputs);
        const recorded = await h.project(built.appends, injection);
        const submitted = recorded.find((e) => e.type === 'proof.submitted.v1')!.data as Record<
          string,
          any
        >;
        const row = await h.tdb.db
          .selectFrom('proofs')
          .selectAll()
          .where('id', '=', built.proofId)
          .executeTakeFirstOrThrow();
        const reviewed = inputs.outcome === 'approved' || inputs.outcome === 'rejected';
        expect({
          type: row.type,
          storage_url: row.storage_url,
          metadata: row.metadata,
          evidence: row.evidence,
          invoice_number: row.invoice_number,
          invoice_date: row.invoice_date,
          ai_explanation: row.ai_explanation,
          ai_flags: row.ai_flags,
          decision_note: row.decision_note,
          ai_reviewed_by: row.ai_reviewed_by,
          status: row.status,
        }).toEqual({
          type: inputs.proofType,
          storage_url: inputs.storageUrl,
          metadata: submitted.metadata,
          evidence: submitted.evidence,
          invoice_number: inputs.invoice?.invoiceNumber ?? null,
          invoice_date: inputs.invoice?.invoiceDate ?? null,
          ai_explanation: inputs.aiExplanation,
          ai_flags: inputs.aiFlags,
          decision_note: reviewed ? inputs.reviewNote : null,
          ai_reviewed_by: reviewed ? inputs.reviewedBy : null,
          status: STATUS_AFTER[inputs.outcome],
        });
      }),
      propertyParams(15),
    );
  });
});
