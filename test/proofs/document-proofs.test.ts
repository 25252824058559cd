/**
 * Document proofs (`PDF`, `INVOICE`, `CONTRACT`) over HTTP on a real test app (issue 5): OCR runs
 * before the decision when `INVOICE_OCR_ENABLED=true` (tesseract on an invoice image, the text
 * layer of a PDF, a scanned PDF's pages rendered and OCR'd) and never overwrites what the client sent; invoice
 * normalisation applies to document types only (a bad currency is 422
 * `INVOICE_NORMALIZATION_ERROR` with nothing stored and the file's hash left free, while a PHOTO
 * with one is accepted, B26); document milestones always go to review; the review decision pays
 * through the same approve-and-pay as a release (payout, ledger) or reopens the milestone; and no
 * IBAN is ever shown in full, neither by the proof routes nor by the audit log.
 */
import { expectErrorEnvelope } from '../http/http-expect';
import type { EscrowApi } from '../support/escrow-api';
import { englishInvoiceLines, frenchInvoiceLines, scannedPdf } from '../support/invoice-images';
import { makePhoto } from '../support/photos';
import { KINSHASA, fundedWithMilestone, submitProof, upload } from '../support/proof-api';
import {
  eventData,
  ibanDigitWindows,
  invoicePng,
  milestoneOf,
  sha256Of,
  shaReservation,
  startProofApi,
  streamTypes,
  taggedTextPdf,
} from './support/proof-test-kit';

/** Every field of `ProofRead`: the old service's, the invoice fields and the `ai_*` columns. */
const PROOF_READ_KEYS = [
  'ai_checked_at',
  'ai_explanation',
  'ai_flags',
  'ai_reviewed_at',
  'ai_reviewed_by',
  'ai_risk_level',
  'ai_score',
  'created_at',
  'decision_note',
  'escrow_id',
  'evidence',
  'file_id',
  'flags',
  'id',
  'invoice_currency',
  'invoice_date',
  'invoice_number',
  'invoice_total_amount',
  'metadata',
  'milestone_id',
  'milestone_idx',
  'near_duplicate_of',
  'ocr_status',
  'proof_id',
  'review_reasons',
  'sha256',
  'status',
  'storage_key',
  'storage_url',
  'type',
  'updated_at',
];

const INVOICE_REQUIREMENTS = { expected_amount: '40.00', expected_currency: 'USD' };

let tagSeq = 0;
/** A French invoice as a text PDF whose bytes no other test uses. */
const frenchPdf = () => taggedTextPdf(frenchInvoiceLines, `doc-${++tagSeq}`);

/** A funded escrow with one INVOICE milestone of 40.00 USD; returns [escrowId, milestoneId]. */
const invoiceMilestone = (api: EscrowApi, over: Parameters<typeof fundedWithMilestone>[1] = {}) =>
  fundedWithMilestone(api, { proofKind: 'INVOICE', requirements: INVOICE_REQUIREMENTS, ...over });

async function uploadPdf(
  api: EscrowApi,
  bytes: Buffer,
  as = api.keys.provider,
): Promise<Record<string, any>> {
  return upload(api, bytes, as, 'invoice.pdf', 'application/pdf');
}

/** Submits a document proof for milestone 1 and expects it stored (201); answers the proof. */
async function submitDocument(
  api: EscrowApi,
  escrowId: string,
  fileId: string,
  metadata?: Record<string, unknown>,
  type = 'INVOICE',
): Promise<Record<string, any>> {
  const res = await submitProof(api, {
    escrow_id: escrowId,
    type,
    file_id: fileId,
    ...(metadata ? { metadata } : {}),
  });
  expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status: 201 });
  return res.json();
}

function decide(
  api: EscrowApi,
  proofId: string,
  body: Record<string, unknown>,
  as = api.keys.client,
) {
  return api.call('POST', `/proofs/${proofId}/decision`, as, body);
}

describe('document proofs with OCR on', () => {
  let api: EscrowApi;
  beforeAll(async () => {
    api = await startProofApi({ INVOICE_OCR_ENABLED: 'true' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('reads an invoice image before the decision, fills the invoice fields from OCR and sends the proof to review', async () => {
    const [escrowId, milestoneId] = await invoiceMilestone(api);
    const png = await invoicePng(englishInvoiceLines);
    const file = await upload(api, png, api.keys.provider, 'invoice.png', 'image/png');
    const okBefore = api.t.proofs.ocr.stats().calls.ok;

    const proof = await submitDocument(api, escrowId, file.file_id);

    expect(Object.keys(proof).sort()).toEqual(PROOF_READ_KEYS);
    expect(proof).toMatchObject({
      proof_id: proof.id,
      escrow_id: escrowId,
      milestone_id: milestoneId,
      milestone_idx: 1,
      type: 'INVOICE',
      file_id: file.file_id,
      // A file-backed proof: its upload's key and the path that serves it (A10).
      storage_key: file.file_id,
      storage_url: `/proofs/files/${file.file_id}`,
      sha256: sha256Of(png),
      status: 'PENDING',
      review_reasons: ['DOCUMENT_REVIEW'],
      flags: [],
      invoice_total_amount: '2468.00',
      invoice_currency: 'USD',
      invoice_number: 'INV-2026-001',
      invoice_date: '2026-11-27',
      ocr_status: 'ok',
      // The advisor is off: no AI columns.
      ai_risk_level: null,
      ai_score: null,
      decision_note: null,
    });
    // What OCR filled is in the metadata (masked: the supplier hidden, only the IBAN's last 4).
    expect(proof.metadata).toEqual({
      ocr_status: 'ok',
      ocr_provider: 'tesseract',
      invoice_total_amount: '2468.00',
      invoice_currency: 'USD',
      invoice_number: 'INV-2026-001',
      invoice_date: '2026-11-27',
      iban_last4: '***5432',
      supplier_name: '***masked***',
    });
    expect(api.t.proofs.ocr.stats().calls.ok).toBe(okBefore + 1);
    expect((await milestoneOf(api, milestoneId)).status).toBe('PENDING_REVIEW');
    // OCR ran before the decision: the submission itself carries what it read, in one append.
    const stream = `escrow-${escrowId}`;
    expect((await streamTypes(api, stream)).filter((t) => t.startsWith('proof.'))).toEqual([
      'proof.submitted.v1',
      'proof.ocr_completed.v1',
    ]);
    const [submitted] = await eventData(api, stream, 'proof.submitted.v1');
    expect(submitted!.invoice).toMatchObject({
      totalAmount: '2468.00',
      currency: 'USD',
      invoiceNumber: 'INV-2026-001',
      ibanLast4: '5432',
    });
    expect(await shaReservation(api, sha256Of(png))).toEqual({ status: 'claimed', events: 1 });
    // The same proof through GET /proofs/{id} and the review queue.
    const read = await api.call('GET', `/proofs/${proof.id}`, api.keys.client);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(proof);
    const queue = await api.call(
      'GET',
      `/proofs?status=PENDING&escrow_id=${escrowId}`,
      api.keys.support,
    );
    expect(queue.json()).toMatchObject({ total: 1, items: [{ id: proof.id, status: 'PENDING' }] });
  });

  it.each([
    {
      what: 'the total, the number and the currency (under its other name `currency`)',
      client: { invoice_total_amount: '999.00', invoice_number: 'CLIENT-7', currency: 'usd' },
      fields: {
        invoice_total_amount: '999.00',
        invoice_currency: 'USD',
        invoice_number: 'CLIENT-7',
        invoice_date: '2026-11-27',
      },
      filled: ['invoice_date', 'iban_last4', 'supplier_name'],
      // The invoice says 1234.50 EUR, F-2026-042: the reviewer is told the client disagrees.
      mismatch: true,
    },
    {
      what: 'the total under its other name `total`, and the date',
      client: { total: '12.5', invoice_date: '2026-12-01' },
      fields: {
        invoice_total_amount: '12.50',
        invoice_currency: 'EUR',
        invoice_number: 'F-2026-042',
        invoice_date: '2026-12-01',
      },
      filled: ['invoice_currency', 'invoice_number', 'iban_last4', 'supplier_name'],
      mismatch: true,
    },
  ])(
    'never overwrites client values with OCR: $what',
    async ({ client, fields, filled, mismatch }) => {
      const [escrowId] = await invoiceMilestone(api);
      const file = await uploadPdf(api, frenchPdf());

      const proof = await submitDocument(api, escrowId, file.file_id, client);

      const reasons = mismatch
        ? ['CLIENT_METADATA_MISMATCH', 'DOCUMENT_REVIEW']
        : ['DOCUMENT_REVIEW'];
      expect(proof).toMatchObject({
        status: 'PENDING',
        review_reasons: reasons,
        ocr_status: 'ok',
        ...fields,
      });
      expect(proof.flags).toEqual(mismatch ? ['client_metadata_mismatch'] : []);
      // The client's values are kept as sent in the metadata, beside what OCR filled.
      expect(proof.metadata).toMatchObject({
        ...client,
        ocr_status: 'ok',
        ocr_provider: 'pdf-text',
      });
      const [ocr] = await eventData(api, `escrow-${escrowId}`, 'proof.ocr_completed.v1');
      expect(ocr).toMatchObject({
        status: 'ok',
        engine: 'pdf-text',
        fields: { total_amount: '1234.50', currency: 'EUR' },
      });
      expect([...ocr!.filled].sort()).toEqual([...filled].sort());
    },
  );

  it('reads a scanned PDF (no text layer) by rendering its pages and OCR, fills the invoice fields and sends it to review', async () => {
    const [escrowId, milestoneId] = await invoiceMilestone(api);
    const file = await uploadPdf(api, await scannedPdf());

    const proof = await submitDocument(api, escrowId, file.file_id, undefined, 'PDF');

    expect(proof).toMatchObject({
      type: 'PDF',
      status: 'PENDING',
      review_reasons: ['DOCUMENT_REVIEW'],
      ocr_status: 'ok',
      invoice_total_amount: '1234.50',
      invoice_currency: 'EUR',
      invoice_number: 'F-2026-042',
      invoice_date: '2026-11-27',
    });
    expect(proof.metadata).toMatchObject({
      ocr_status: 'ok',
      ocr_provider: 'pdf-scan',
      invoice_total_amount: '1234.50',
      iban_last4: '***0189',
    });
    expect((await milestoneOf(api, milestoneId)).status).toBe('PENDING_REVIEW');
    const [ocr] = await eventData(api, `escrow-${escrowId}`, 'proof.ocr_completed.v1');
    expect(ocr).toMatchObject({
      status: 'ok',
      engine: 'pdf-scan',
      fields: { total_amount: '1234.50', currency: 'EUR', invoice_number: 'F-2026-042' },
      reason: null,
    });
  });

  it('refuses a document whose currency or total is not one (422 INVOICE_NORMALIZATION_ERROR), stores nothing and leaves the file free', async () => {
    const [escrowId, milestoneId] = await invoiceMilestone(api);
    const bytes = frenchPdf();
    const file = await uploadPdf(api, bytes);
    const stream = `escrow-${escrowId}`;
    const before = await streamTypes(api, stream);

    const bad: [string, Record<string, unknown>, string[]][] = [
      ['INVOICE', { currency: 'dollars' }, ['invalid_invoice_currency']],
      ['PDF', { invoice_currency: 'US$' }, ['invalid_invoice_currency']],
      ['CONTRACT', { invoice_total_amount: 'about forty' }, ['invalid_invoice_total_amount']],
      [
        'INVOICE',
        { invoice_total_amount: 'x', currency: 12 },
        ['invalid_invoice_currency', 'invalid_invoice_total_amount'],
      ],
    ];
    for (const [type, metadata, errors] of bad) {
      const res = await submitProof(api, {
        escrow_id: escrowId,
        type,
        file_id: file.file_id,
        metadata,
      });
      const error = expectErrorEnvelope(res, 422, 'INVOICE_NORMALIZATION_ERROR');
      expect({ type, metadata, errors: error.details?.errors }).toEqual({ type, metadata, errors });
    }

    // Nothing stored: no event on the escrow, the hash not reserved, no proof, the milestone open.
    expect(await streamTypes(api, stream)).toEqual(before);
    expect(await shaReservation(api, sha256Of(bytes))).toEqual({ status: 'free', events: 0 });
    expect(
      (await api.call('GET', `/proofs?escrow_id=${escrowId}`, api.keys.support)).json(),
    ).toMatchObject({ total: 0, items: [] });
    expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');

    // The same file is accepted once the metadata is fixed.
    const proof = await submitDocument(api, escrowId, file.file_id, { currency: 'usd' });
    expect(proof).toMatchObject({
      status: 'PENDING',
      invoice_currency: 'USD',
      invoice_total_amount: '1234.50',
    });
    expect(await shaReservation(api, sha256Of(bytes))).toEqual({ status: 'claimed', events: 1 });
  });

  it('does not normalise invoice fields of a PHOTO proof: a bad currency is no reason to refuse it (B26)', async () => {
    const [escrowId, milestoneId] = await fundedWithMilestone(api);
    const photo = await makePhoto({ scene: 21, gps: KINSHASA, gpsTime: new Date() });
    const file = await upload(api, photo);
    const calls = api.t.proofs.ocr.stats().calls;

    const res = await submitProof(api, {
      escrow_id: escrowId,
      type: 'PHOTO',
      file_id: file.file_id,
      metadata: { currency: 'not money', invoice_total_amount: 'n/a' },
    });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'APPROVED',
      review_reasons: [],
      invoice_total_amount: null,
      invoice_currency: null,
      ocr_status: null,
      metadata: { currency: 'not money', invoice_total_amount: 'n/a' },
    });
    expect((await milestoneOf(api, milestoneId)).status).toBe('PAID');
    // Not OCR'd either.
    expect(api.t.proofs.ocr.stats().calls).toEqual(calls);
    expect(await streamTypes(api, `escrow-${escrowId}`)).not.toContain('proof.ocr_completed.v1');
  });

  it('refuses a PHOTO on a document milestone (A6: it was sent to review before) and stores nothing', async () => {
    const [escrowId, milestoneId] = await invoiceMilestone(api);
    const photo = await makePhoto({ scene: 22, gps: KINSHASA, gpsTime: new Date() });
    const file = await upload(api, photo);
    const before = await streamTypes(api, `escrow-${escrowId}`);

    const res = await submitProof(api, {
      escrow_id: escrowId,
      type: 'PHOTO',
      file_id: file.file_id,
      metadata: { source: 'app' },
    });

    expectErrorEnvelope(res, 422, 'PROOF_TYPE_MISMATCH');
    expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');
    expect(await streamTypes(api, `escrow-${escrowId}`)).toEqual(before);
  });

  describe('the review decision', () => {
    it('approve pays the milestone: a payout and its ledger entries; a repeat changes nothing; reject then is 409', async () => {
      const [escrowId, milestoneId] = await invoiceMilestone(api, { extra: '10.00' });
      const file = await uploadPdf(api, frenchPdf());
      const proof = await submitDocument(api, escrowId, file.file_id, {
        invoice_total_amount: '40.00',
        currency: 'USD',
      });
      expect(proof.status).toBe('PENDING');

      const res = await decide(api, proof.id, { decision: 'approve', note: 'matches the order' });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: proof.id,
        status: 'APPROVED',
        decision_note: 'matches the order',
        ai_reviewed_by: expect.stringMatching(/^koba_/),
        ai_reviewed_at: expect.any(String),
      });
      expect((await milestoneOf(api, milestoneId)).status).toBe('PAID');
      const payouts = await api.call(
        'GET',
        `/escrows/${escrowId}/payments?kind=payout`,
        api.keys.client,
      );
      expect(payouts.json()).toMatchObject({
        total: 1,
        items: [
          {
            kind: 'payout',
            milestone_id: milestoneId,
            amount: '40.00',
            currency: 'USD',
            status: 'SENT',
            beneficiary_id: api.ids.provider,
          },
        ],
      });
      const ledger = (
        await api.call('GET', `/escrows/${escrowId}/ledger`, api.keys.provider)
      ).json();
      expect(ledger.held).toBe('10.00');
      type Entry = {
        event_type: string;
        debit_account: string;
        credit_account: string;
        amount: string;
      };
      const payoutEntries = (ledger.entries.items as Entry[])
        .filter((e) => e.event_type.startsWith('payment.'))
        .map((e) => [e.event_type, e.debit_account, e.credit_account, e.amount]);
      expect(payoutEntries).toEqual([
        [
          'payment.initiated.v1',
          `escrow:${escrowId}:held:USD`,
          `provider:${api.ids.provider}:payable:USD`,
          '40.00',
        ],
        ['payment.sent.v1', `provider:${api.ids.provider}:payable:USD`, 'psp:cash:USD', '40.00'],
      ]);

      // A repeat (under the other spelling, by support) answers the proof and appends nothing.
      const stream = `escrow-${escrowId}`;
      const after = await streamTypes(api, stream);
      const again = await decide(api, proof.id, { decision: 'approved' }, api.keys.support);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({
        status: 'APPROVED',
        decision_note: 'matches the order',
      });
      expectErrorEnvelope(
        await decide(api, proof.id, { decision: 'reject' }),
        409,
        'PROOF_ALREADY_APPROVED',
      );
      expect(await streamTypes(api, stream)).toEqual(after);
    });

    it('reject returns the milestone to WAITING, a repeat changes nothing, approve then is 409, and a new proof is taken', async () => {
      const [escrowId, milestoneId] = await invoiceMilestone(api);
      const first = await uploadPdf(api, frenchPdf());
      const proof = await submitDocument(api, escrowId, first.file_id);

      const res = await decide(api, proof.id, { decision: 'reject', note: 'wrong supplier' });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'REJECTED',
        decision_note: 'wrong supplier',
        ai_reviewed_by: expect.stringMatching(/^koba_/),
      });
      expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');
      const stream = `escrow-${escrowId}`;
      expect((await streamTypes(api, stream)).slice(-2)).toEqual([
        'proof.rejected.v1',
        'milestone.reopened.v1',
      ]);
      const after = await streamTypes(api, stream);
      expect((await decide(api, proof.id, { decision: 'rejected' })).json()).toMatchObject({
        status: 'REJECTED',
      });
      expectErrorEnvelope(
        await decide(api, proof.id, { decision: 'approve', note: 'changed my mind' }),
        409,
        'PROOF_ALREADY_REJECTED',
      );
      expect(await streamTypes(api, stream)).toEqual(after);

      // The rejected file stays used; another one is accepted for the reopened milestone.
      expectErrorEnvelope(
        await submitProof(api, { escrow_id: escrowId, type: 'INVOICE', file_id: first.file_id }),
        409,
        'PROOF_DUPLICATE',
      );
      const second = await uploadPdf(api, frenchPdf());
      const next = await submitDocument(api, escrowId, second.file_id);
      expect(next).toMatchObject({ status: 'PENDING', review_reasons: ['DOCUMENT_REVIEW'] });
      expect((await milestoneOf(api, milestoneId)).status).toBe('PENDING_REVIEW');
    });

    it('approve without enough held money is 409 INSUFFICIENT_ESCROW_BALANCE and keeps the proof pending', async () => {
      const [escrowId, milestoneId] = await invoiceMilestone(api, { deposit: '10.00' });
      const file = await uploadPdf(api, frenchPdf());
      const proof = await submitDocument(api, escrowId, file.file_id);
      const stream = `escrow-${escrowId}`;
      const before = await streamTypes(api, stream);

      expectErrorEnvelope(
        await decide(api, proof.id, { decision: 'approve' }),
        409,
        'INSUFFICIENT_ESCROW_BALANCE',
      );

      expect(await streamTypes(api, stream)).toEqual(before);
      expect((await api.call('GET', `/proofs/${proof.id}`, api.keys.client)).json()).toMatchObject({
        status: 'PENDING',
        ai_reviewed_by: null,
      });
      expect((await milestoneOf(api, milestoneId)).status).toBe('PENDING_REVIEW');
      // Once the rest is deposited, the same decision pays.
      expect((await api.deposit(escrowId, '30.00')).statusCode).toBe(200);
      expect((await decide(api, proof.id, { decision: 'approve' })).json()).toMatchObject({
        status: 'APPROVED',
      });
      expect((await milestoneOf(api, milestoneId)).status).toBe('PAID');
    });
  });

  describe('masking: no IBAN in full, in the proof answers or in the audit log', () => {
    const iban = 'FR76 3000 6000 0112 3456 7890 189';
    const beneficiaryIban = 'GB82WEST12345698765432';
    const forbidden = [
      iban,
      iban.replace(/ /g, ''),
      beneficiaryIban,
      ...ibanDigitWindows(iban),
      ...ibanDigitWindows(beneficiaryIban),
      'jean.dupont',
      'Zebulon',
      'ACME',
    ];
    const leaks = (body: string) => forbidden.filter((f) => body.includes(f));
    let escrowId: string;
    let proofId: string;
    const answers: Record<string, string> = {};

    beforeAll(async () => {
      [escrowId] = await invoiceMilestone(api);
      const file = await uploadPdf(api, frenchPdf());
      const metadata = {
        iban,
        beneficiary_iban: beneficiaryIban,
        payout: { iban_full: iban.replace(/ /g, '') },
        contact_email: 'jean.dupont@zebulon.fr',
        supplier_name: 'Zebulon Quixote SARL',
      };
      const submitted = await submitProof(api, {
        escrow_id: escrowId,
        type: 'INVOICE',
        file_id: file.file_id,
        metadata,
      });
      expect(submitted.statusCode).toBe(201);
      proofId = submitted.json().id;
      const rejected = await decide(api, proofId, { decision: 'reject', note: 'unreadable' });
      expect(rejected.statusCode).toBe(200);
      answers.submit = submitted.body;
      answers.decision = rejected.body;
    });

    it('masks the metadata in every proof answer, keeping the last 4 for the reviewer', async () => {
      answers.get = (await api.call('GET', `/proofs/${proofId}`, api.keys.client)).body;
      answers.list = (
        await api.call('GET', `/proofs?escrow_id=${escrowId}`, api.keys.auditor)
      ).body;
      for (const [route, body] of Object.entries(answers))
        expect({ route, leaks: leaks(body) }).toEqual({ route, leaks: [] });
      expect(JSON.parse(answers.get).metadata).toEqual({
        // 27 and 22 characters: all but the last 4 starred.
        iban: `${'*'.repeat(23)}0189`,
        beneficiary_iban: `${'*'.repeat(18)}5432`,
        payout: { iban_full: `${'*'.repeat(23)}0189` },
        contact_email: '***@zebulon.fr',
        supplier_name: '***masked***',
        // Filled by OCR: only ever the last 4.
        iban_last4: '***0189',
        invoice_total_amount: '1234.50',
        invoice_currency: 'EUR',
        invoice_number: 'F-2026-042',
        invoice_date: '2026-11-27',
        ocr_status: 'ok',
        ocr_provider: 'pdf-text',
      });
    });

    it("masks the proof's events in GET /audit/events (support) as the proof answers do", async () => {
      const audit = await api.call(
        'GET',
        `/audit/events?stream=escrow-${escrowId}&limit=200`,
        api.keys.support,
      );
      expect(audit.statusCode).toBe(200);
      const items = audit.json().items as { type: string; data: Record<string, any> }[];
      expect(items.map((i) => i.type)).toEqual(
        expect.arrayContaining([
          'proof.submitted.v1',
          'proof.ocr_completed.v1',
          'proof.rejected.v1',
        ]),
      );
      const submitted = items.find((i) => i.type === 'proof.submitted.v1')!;
      expect(submitted.data.metadata).toMatchObject({
        iban: '***0189',
        payout: { iban_full: '***0189' },
        beneficiary_iban: expect.stringMatching(/^\*+5432$/),
        contact_email: '***@zebulon.fr',
        supplier_name: '***masked***',
      });
      expect(leaks(audit.body)).toEqual([]);
    });
  });
});

describe('document proofs with OCR off (the default)', () => {
  let api: EscrowApi;
  beforeAll(async () => {
    api = await startProofApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('reads nothing from the file: the invoice fields come from the metadata alone', async () => {
    const [escrowId, milestoneId] = await invoiceMilestone(api);
    const png = await invoicePng(englishInvoiceLines);
    const image = await upload(api, png, api.keys.provider, 'invoice.png', 'image/png');

    const proof = await submitDocument(api, escrowId, image.file_id, {
      invoice_total_amount: '40',
      invoice_currency: 'usd',
      invoice_number: 'C-77',
    });

    expect(proof).toMatchObject({
      status: 'PENDING',
      review_reasons: ['DOCUMENT_REVIEW'],
      invoice_total_amount: '40.00',
      invoice_currency: 'USD',
      invoice_number: 'C-77',
      invoice_date: null,
      ocr_status: null,
      metadata: { invoice_total_amount: '40', invoice_currency: 'usd', invoice_number: 'C-77' },
    });
    expect(proof.metadata).not.toHaveProperty('ocr_status');
    expect((await milestoneOf(api, milestoneId)).status).toBe('PENDING_REVIEW');
    expect(await streamTypes(api, `escrow-${escrowId}`)).not.toContain('proof.ocr_completed.v1');
    expect(Object.values(api.t.proofs.ocr.stats().calls).every((n) => n === 0)).toBe(true);
  });

  it('leaves the invoice fields empty without metadata, and still refuses a bad currency', async () => {
    const [escrowId] = await invoiceMilestone(api);
    const file = await uploadPdf(api, frenchPdf());
    expectErrorEnvelope(
      await submitProof(api, {
        escrow_id: escrowId,
        type: 'INVOICE',
        file_id: file.file_id,
        metadata: { currency: 'euros' },
      }),
      422,
      'INVOICE_NORMALIZATION_ERROR',
    );

    const proof = await submitDocument(api, escrowId, file.file_id);

    expect(proof).toMatchObject({
      status: 'PENDING',
      invoice_total_amount: null,
      invoice_currency: null,
      invoice_number: null,
      ocr_status: null,
      metadata: null,
    });
  });
});
