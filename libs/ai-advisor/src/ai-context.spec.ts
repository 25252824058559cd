/**
 * The advisor's context builder: the allowlist (schema keys only, `_present` for identifying
 * fields), the value kinds (money stays a string), the scan (emails, URLs, UUIDs, hashes, IBANs,
 * long digit runs and the proof's own names), the listing of dropped keys by name only, and a
 * deterministic output.
 */
import { type ProofAssessmentInput, REDACTED, buildAiContext } from './ai-context';

function input(overrides: Partial<ProofAssessmentInput> = {}): ProofAssessmentInput {
  return {
    proof_type: 'PHOTO',
    milestone: {
      label: 'Roof finished',
      amount: '1200.00',
      currency: 'xof',
      proof_kind: 'PHOTO',
      proof_requirements: { gps_required: true },
    },
    escrow: { amount_total: '3600.00', currency: 'XOF', domain: 'public' },
    metadata: {
      exif_timestamp: '2026-11-27T09:58:00Z',
      source: 'app',
      gps_lat: 5.35,
      gps_lng: -4.0,
    },
    evidence: {
      capture_time: '2026-11-27T09:58:00.000Z',
      capture_time_source: 'gps',
      gps_present: true,
      geofence: { configured: true, distance_m: 8.5, inside: true },
      exif: { make: 'Apple', model: 'iPhone 15', software: '17.1' },
    },
    backend_checks: {
      has_metadata: true,
      geofence_configured: true,
      validation_ok: true,
      validation_reason: null,
    },
    invoice: null,
    ocr_status: null,
    flags: ['near_duplicate_checked'],
    image: null,
    ...overrides,
  };
}

describe('buildAiContext', () => {
  it('keeps the allowlisted fields, sorted, with coordinates only as presence', () => {
    expect(buildAiContext(input(), { imageAttached: true })).toEqual({
      _redacted_keys: ['metadata.gps_lat', 'metadata.gps_lng'],
      backend_checks: {
        geofence_configured: true,
        has_metadata: true,
        validation_ok: true,
        validation_reason: null,
      },
      escrow: { amount_total: '3600.00', currency: 'XOF', domain: 'public' },
      evidence: {
        capture_time: '2026-11-27T09:58:00.000Z',
        capture_time_source: 'gps',
        exif: { make: 'Apple', model: 'iPhone 15', software: '17.1' },
        geofence: { configured: true, distance_m: 8.5, inside: true },
        gps_present: true,
      },
      flags: ['near_duplicate_checked'],
      image_attached: true,
      invoice: null,
      metadata: {
        exif_timestamp: '2026-11-27T09:58:00Z',
        gps_lat_present: true,
        gps_lng_present: true,
        source: 'app',
      },
      milestone: {
        amount: '1200.00',
        currency: 'XOF',
        label: 'Roof finished',
        proof_kind: 'PHOTO',
        proof_requirements: { gps_required: true },
      },
      ocr_status: null,
      proof_type: 'PHOTO',
    });
  });

  it('is deterministic: keys sorted at every level, whatever the input order', () => {
    const a = buildAiContext(
      input({ metadata: { source: 'app', invoice_currency: 'eur', total: '5.00' } }),
      { imageAttached: false },
    );
    const b = buildAiContext(
      input({ metadata: { total: '5.00', invoice_currency: 'eur', source: 'app' } }),
      { imageAttached: false },
    );
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const keys = Object.keys(a);
    expect(keys).toEqual([...keys].sort());
  });

  it('keeps money a decimal string: a number becomes its string, a non-amount is dropped (B3)', () => {
    const context = buildAiContext(
      input({
        metadata: {
          invoice_total_amount: 321.5,
          total_amount: 1e21,
          invoice_amount: '12,50',
          total: '1234567890123.00',
        },
      }),
      { imageAttached: false },
    );
    expect(context.metadata).toEqual({ invoice_total_amount: '321.5' });
    expect(context._redacted_keys).toEqual([
      'metadata.invoice_amount',
      'metadata.total',
      'metadata.total_amount',
    ]);
  });

  it('drops a value that is not of its kind, and masks one that looks like an identifier', () => {
    const context = buildAiContext(
      input({
        metadata: {
          supplier_city: 'Abidjan 01 BP 1234', // digits are not a city
          beneficiary_city: 'Saint-Étienne',
          beneficiary_country: "Côte d'Ivoire",
          currency: 'euro',
          status: 'https://x.example/y',
          ocr_status: '0b5c4a1e-77aa-4b2c-9d0e-1f2a3b4c5d6e',
          ocr_provider: 'tesseract:5',
          file_type: 'FR7630006000011234567890189',
          source: 'deadbeefdeadbeefdeadbeefdeadbeef',
        },
        milestone: {
          label: 'Call me on +225 07 07 12 34 56',
          amount: '1.00',
          currency: 'XOF',
          proof_kind: 'PHOTO',
          proof_requirements: null,
        },
      }),
      { imageAttached: false },
    );
    expect(context.metadata).toEqual({
      beneficiary_city: 'Saint-Étienne',
      beneficiary_country: "Côte d'Ivoire",
      status: REDACTED,
      ocr_status: REDACTED,
      ocr_provider: 'tesseract:5',
      file_type: REDACTED,
      source: REDACTED,
    });
    expect(context.milestone).toMatchObject({ label: REDACTED, proof_requirements: null });
    expect(context._redacted_keys).toEqual(
      expect.arrayContaining([
        'metadata.supplier_city',
        'metadata.currency',
        'metadata.status',
        'milestone.label',
      ]),
    );
  });

  it("masks text that contains the proof's own names, found under identifying keys anywhere", () => {
    const context = buildAiContext(
      input({
        milestone: {
          label: 'Roof by Kouassi Bâtiment',
          amount: '1.00',
          currency: 'XOF',
          proof_kind: 'PHOTO',
          proof_requirements: { expected_beneficiary: 'KOUASSI BATIMENT SARL' },
        },
        evidence: {
          capture_time: null,
          capture_time_source: null,
          gps_present: false,
          geofence: null,
          exif: { make: 'Kouassi', model: 'X', software: null },
        },
        flags: ['kouassi_flag', 'ok_flag'],
      }),
      { imageAttached: false },
    );
    expect(context.milestone).toMatchObject({
      label: REDACTED,
      proof_requirements: { expected_beneficiary_present: true },
    });
    expect(context.evidence).toMatchObject({
      exif: { make: REDACTED, model: 'X', software: null },
    });
    expect(context.flags).toEqual(['ok_flag']);
    expect(context._redacted_keys).toEqual(
      expect.arrayContaining(['flags[]', 'milestone.label', 'evidence.exif.make']),
    );
  });

  it('never sends IBAN digits, not even the last 4: only presence and the match verdict', () => {
    const context = buildAiContext(
      input({
        backend_checks: {
          iban_check: { expected_iban_last4: '0189', invoice_iban_last4: '0189', match: true },
        },
        invoice: {
          total_amount: '10.00',
          currency: 'EUR',
          invoice_date: '2026-11-01',
          invoice_number: 'A-1',
          iban_last4: '0189',
          supplier_name: null,
        },
        metadata: { iban_last4: '0189', invoice_iban_last4: '0189' },
      }),
      { imageAttached: false },
    );
    expect(JSON.stringify(context)).not.toContain('0189');
    expect(context.backend_checks).toEqual({
      iban_check: {
        expected_iban_last4_present: true,
        invoice_iban_last4_present: true,
        match: true,
      },
    });
    expect(context.invoice).toMatchObject({
      iban_last4_present: true,
      supplier_name_present: false,
      invoice_number_present: true,
    });
  });

  it('lists a dropped key whose own name looks identifying as "***redacted***", and bounds the keys read', () => {
    const metadata: Record<string, unknown> = JSON.parse(
      '{"__proto__": {"x": 1}, "jean@example.org": 1, "FR7630006000011234567890189": 2, "Notes": "x"}',
    );
    for (let i = 0; i < 600; i++) metadata[`k${i}`] = i;
    const context = buildAiContext(input({ metadata }), { imageAttached: false });
    expect(JSON.stringify(context)).not.toMatch(/jean|7630006|Notes/);
    expect(context._redacted_keys).toContain(`metadata.${REDACTED}`);
    expect((context._redacted_keys as string[]).length).toBe(100);
    expect(context._redacted_keys_omitted).toBeGreaterThan(0);
    expect(context.metadata).toEqual({});
  });

  it('never throws on junk: sections that are not objects become null', () => {
    const junk = {
      proof_type: 7,
      milestone: 'x',
      escrow: [],
      metadata: 'x',
      evidence: null,
      backend_checks: 3,
      invoice: undefined,
      ocr_status: {},
      flags: 'x',
      image: null,
    };
    const context = buildAiContext(junk as never, { imageAttached: false });
    expect(context).toMatchObject({
      milestone: null,
      escrow: null,
      metadata: null,
      evidence: null,
      backend_checks: null,
      invoice: null,
      flags: [],
    });
    expect(context).not.toHaveProperty('proof_type');
  });
});
