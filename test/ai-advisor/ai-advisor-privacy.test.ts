/**
 * What leaves the service when the advisor asks the model, read from the bytes the real SDK sent
 * to a local stand-in of the Messages API. A proof with an IBAN, an email, a supplier's name, a
 * phone, a file id, a storage URL and a sha256 planted in its metadata (under their own keys and
 * under allowed ones), invoice fields, requirements, label, EXIF and backend checks: none of them
 * is in any request, not even in part (the IBAN's digits, its last 4, a word of the name, a segment
 * of the id, the URL's host). The image goes only when `sendImage` is on, it is exactly the bytes
 * given, and a "preview" that still carries EXIF, or is not an image, is withheld.
 */
import sharp from 'sharp';
import { AiProofAdvisor, REDACTED } from '@kob/ai-advisor';
import { type FakeMessagesApi, messageText, startFakeMessagesApi } from './fake-messages-api';
import { documentProof, planted, plantedProof } from './proof-inputs';

let api: FakeMessagesApi;

beforeEach(async () => {
  api = await startFakeMessagesApi();
  api.respond = () =>
    messageText({ risk_level: 'clean', score: 0.9, flags: [], explanation: 'Consistent.' });
});
afterEach(async () => {
  await api.close();
});

function advisor(sendImage: boolean): AiProofAdvisor {
  return new AiProofAdvisor({
    enabled: true,
    apiKey: 'sk-test-key',
    baseUrl: api.baseUrl,
    model: 'claude-test-model-7',
    timeoutMs: 2_000,
    breakerFailuresMax: 5,
    breakerCooldownMs: 60_000,
    sendImage,
  });
}

/** Every fragment of a planted value that must not be sent. */
function forbiddenFragments(): string[] {
  const ibanDigits = planted.iban.slice(2);
  const windows = Array.from({ length: ibanDigits.length - 5 }, (_, i) =>
    ibanDigits.slice(i, i + 6),
  );
  return [
    planted.iban,
    planted.ibanSpaced,
    ibanDigits,
    ...windows,
    '0189', // the last 4
    planted.email,
    'jean.dupont',
    'dupont',
    'zebulon',
    'quixote',
    planted.supplier,
    planted.fileId,
    planted.fileId.replace(/-/g, ''),
    ...planted.fileId.split('-'),
    planted.storageUrl,
    'proof-store',
    'kobatela-files',
    'invoice-scan',
    'c0ffee42',
    planted.sha256,
    planted.sha256.slice(0, 16),
    planted.sha256.slice(-16),
    planted.phone,
    '12 34 56 78',
    '612345678',
    'F-2026-042',
  ].map((s) => s.toLowerCase());
}

function contextOf(body: Record<string, unknown>): Record<string, any> {
  const messages = body.messages as Array<{ content: Array<{ type: string; text?: string }> }>;
  const text = messages[0]!.content.find((c) => c.type === 'text')!.text!;
  return JSON.parse(
    text.slice(text.indexOf('JSON_CONTEXT:\n') + 'JSON_CONTEXT:\n'.length),
  ) as Record<string, any>;
}

describe('redaction', () => {
  it('sends none of the planted identifiers, not even in part, and keeps what is allowed', async () => {
    const a = advisor(true);
    const verdict = await a.assess(plantedProof());
    expect(verdict.risk_level).toBe('clean');
    expect(api.requests).toHaveLength(1);

    for (const request of api.requests) {
      const sent = `${request.path}\n${request.body}`.toLowerCase();
      const found = forbiddenFragments().filter((f) => sent.includes(f));
      expect(found).toEqual([]);
    }

    const context = contextOf(api.json(0));
    // What is allowed still goes: amounts as strings, currencies, dates, places, the checks' verdicts.
    expect(context.metadata).toMatchObject({
      invoice_total_amount: '2500.00',
      invoice_currency: 'EUR',
      invoice_date: '2026-11-20',
      beneficiary_city: 'Lyon',
      beneficiary_country: 'France',
    });
    expect(context.backend_checks.iban_check).toEqual({
      expected_iban_last4_present: true,
      invoice_iban_last4_present: true,
      match: true,
    });
    expect(context.backend_checks.supplier_check).toEqual({
      expected_name_present: true,
      actual_name_present: true,
      exact_match: true,
    });
    expect(context.invoice).toEqual({
      total_amount: '2500.00',
      currency: 'EUR',
      invoice_date: '2026-11-20',
      invoice_number_present: true,
      iban_last4_present: true,
      supplier_name_present: true,
    });
    expect(context.milestone.proof_requirements).toEqual({
      expected_amount: '2500.00',
      expected_currency: 'EUR',
      expected_city: 'Lyon',
      expected_store_name_present: true,
      expected_beneficiary_present: true,
      expected_iban_present: true,
      expected_iban_last4_present: true,
    });
    // Values under allowed keys that look like identifiers are masked whole…
    expect(context.milestone.label).toBe(REDACTED);
    expect(context.metadata.status).toBe(REDACTED);
    expect(context.metadata.file_type).toBe(REDACTED);
    expect(context.metadata.file_mime_type).toBe(REDACTED);
    expect(context.evidence.exif).toEqual({ make: REDACTED, model: REDACTED, software: REDACTED });
    expect(context.flags).toEqual(['possible_duplicate']);
    // …and the keys that were dropped are listed by name only.
    expect(context._redacted_keys).toEqual(
      expect.arrayContaining([
        'metadata.storage_url',
        'metadata.file_id',
        'metadata.sha256',
        'metadata.contact_email',
        'metadata.iban',
        'metadata.notes',
        'metadata.nested',
        `metadata.${REDACTED}`,
        'metadata.supplier_city', // an email is not a city: dropped
        'metadata.ocr_provider', // a URL with a query is not a token: dropped
        'milestone.proof_requirements.notes',
        'milestone.proof_requirements.expected_description',
      ]),
    );
    expect(context.metadata).not.toHaveProperty('storage_url');
    expect(context.metadata).not.toHaveProperty('supplier_city');
    expect(context.metadata).not.toHaveProperty('ocr_provider');
  });

  it('builds the same request for the same proof (sorted keys)', async () => {
    const a = advisor(false);
    await a.assess(plantedProof());
    await a.assess(plantedProof());
    expect(api.requests[0]!.body).toBe(api.requests[1]!.body);
  });
});

describe('the image', () => {
  async function jpeg(withExif: boolean): Promise<Buffer> {
    const image = sharp({ create: { width: 24, height: 16, channels: 3, background: '#6a8f3c' } });
    return (withExif ? image.withExif({ IFD0: { Make: 'Zebulon', Model: 'Cam 1' } }) : image)
      .jpeg({ quality: 70 })
      .toBuffer();
  }

  function imageBlocks(
    body: Record<string, unknown>,
  ): Array<{ type: string; source: { type: string; media_type: string; data: string } }> {
    const messages = body.messages as Array<{ content: Array<{ type: string }> }>;
    return messages[0]!.content.filter((c) => c.type === 'image') as never;
  }

  it('is sent only when sendImage is on, and it is exactly the given bytes', async () => {
    const bytes = await jpeg(false);
    const proof = documentProof({ proof_type: 'PHOTO', image: { bytes, mime: 'image/jpeg' } });

    await advisor(false).assess(proof);
    expect(imageBlocks(api.json(0))).toEqual([]);
    expect(api.requests[0]!.body).not.toContain(bytes.toString('base64').slice(0, 40));
    expect(contextOf(api.json(0)).image_attached).toBe(false);

    await advisor(true).assess(proof);
    const blocks = imageBlocks(api.json(1));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.source).toEqual({
      type: 'base64',
      media_type: 'image/jpeg',
      data: bytes.toString('base64'),
    });
    expect(Buffer.from(blocks[0]!.source.data, 'base64').equals(bytes)).toBe(true);
    expect(contextOf(api.json(1)).image_attached).toBe(true);
  });

  it('is withheld when it still carries EXIF, is not an image, or is not of its stated type', async () => {
    const withExif = await jpeg(true);
    expect(withExif.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(true);
    const a = advisor(true);
    await a.assess(documentProof({ image: { bytes: withExif, mime: 'image/jpeg' } }));
    await a.assess(
      documentProof({ image: { bytes: Buffer.from('%PDF-1.7\n'), mime: 'application/pdf' } }),
    );
    await a.assess(documentProof({ image: { bytes: await jpeg(false), mime: 'image/png' } }));
    for (let i = 0; i < 3; i++) {
      expect(imageBlocks(api.json(i))).toEqual([]);
      expect(contextOf(api.json(i)).image_attached).toBe(false);
    }
    expect(a.status().images_withheld).toBe(3);
    expect(api.requests.map((r) => r.body.toLowerCase().includes('zebulon'))).toEqual([
      false,
      false,
      false,
    ]);
  });
});
