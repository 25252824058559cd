/**
 * Proof inputs for the advisor tests: an ordinary document proof, and the same proof with
 * identifying data planted everywhere a client or OCR could put it.
 */
import type { ProofAssessmentInput } from '@kob/ai-advisor';

export function documentProof(overrides: Partial<ProofAssessmentInput> = {}): ProofAssessmentInput {
  return {
    proof_type: 'INVOICE',
    milestone: {
      label: 'Bathroom tiles delivered',
      amount: '2500.00',
      currency: 'EUR',
      proof_kind: 'INVOICE',
      proof_requirements: {
        expected_amount: '2500.00',
        expected_currency: 'EUR',
        expected_city: 'Lyon',
      },
    },
    escrow: { amount_total: '7500.00', currency: 'EUR', domain: 'private' },
    metadata: {
      invoice_total_amount: '2500.00',
      invoice_currency: 'EUR',
      invoice_date: '2026-11-20',
      beneficiary_city: 'Lyon',
    },
    evidence: {
      capture_time: null,
      capture_time_source: null,
      gps_present: false,
      geofence: null,
      exif: null,
    },
    backend_checks: {
      has_metadata: true,
      amount_check: {
        expected_amount: '2500.00',
        invoice_amount: '2500.00',
        absolute_diff: '0.00',
        relative_diff: '0.000000',
        amount_tolerance: '0.00',
        currency_expected: 'EUR',
        currency_actual: 'EUR',
        currency_match: true,
        amount_match: true,
      },
      iban_check: { expected_iban_last4: null, invoice_iban_last4: null, match: null },
      date_check: {
        expected_date_min: null,
        expected_date_max: null,
        invoice_date: '2026-11-20',
        in_range: null,
        days_from_min: null,
        days_from_max: null,
      },
      supplier_check: { expected_name: null, actual_name: null, exact_match: null },
    },
    invoice: {
      total_amount: '2500.00',
      currency: 'EUR',
      invoice_date: '2026-11-20',
      invoice_number: null,
      iban_last4: null,
      supplier_name: null,
    },
    ocr_status: 'done',
    flags: [],
    image: null,
    ...overrides,
  };
}

export const planted = {
  iban: 'FR7630006000011234567890189',
  ibanSpaced: 'FR76 3000 6000 0112 3456 7890 189',
  email: 'jean.dupont@zebulon-quixote.fr',
  supplier: 'Zebulon Quixote SARL',
  fileId: '3f2b8c1e-9d4a-4e7b-b6c2-5a1d0e9f8c7b',
  storageUrl:
    'https://proof-store.kobatela-files.net/proofs/3f2b8c1e-9d4a-4e7b-b6c2-5a1d0e9f8c7b/invoice-scan.pdf?sig=c0ffee42',
  sha256: 'e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8',
  phone: '+33 6 12 34 56 78',
} as const;

/**
 * The document proof with the planted values in the metadata (under their own keys and under
 * allowed keys), in the invoice fields, in the milestone's requirements and label, and in the
 * backend checks.
 */
export function plantedProof(): ProofAssessmentInput {
  const base = documentProof();
  return {
    ...base,
    milestone: {
      ...base.milestone,
      label: `Tiles from ${planted.supplier}`,
      proof_requirements: {
        expected_amount: '2500.00',
        expected_currency: 'EUR',
        expected_city: 'Lyon',
        expected_store_name: planted.supplier,
        expected_beneficiary: planted.supplier,
        expected_iban: planted.iban,
        expected_iban_last4: '0189',
        expected_description: `Invoice from ${planted.supplier}, contact ${planted.email}`,
        notes: `Pay to ${planted.ibanSpaced}; file ${planted.fileId}`,
      },
    },
    metadata: {
      invoice_total_amount: '2500.00',
      invoice_currency: 'EUR',
      invoice_date: '2026-11-20',
      beneficiary_city: 'Lyon',
      beneficiary_country: 'France',
      // Under their own names.
      supplier_name: planted.supplier,
      beneficiary_name: 'Jean Dupont',
      contact_email: planted.email,
      phone: planted.phone,
      iban: planted.iban,
      iban_last4: '0189',
      file_id: planted.fileId,
      storage_url: planted.storageUrl,
      sha256: planted.sha256,
      notes: `Call ${planted.phone} or write to ${planted.email}`,
      nested: { iban: planted.iban, url: planted.storageUrl },
      [planted.email]: 'a key that is an email',
      // Under allowed names, where only the kind or the scan can stop them.
      supplier_city: planted.email,
      supplier_country: planted.supplier,
      status: planted.fileId,
      ocr_provider: planted.storageUrl,
      file_type: planted.iban,
      file_mime_type: planted.sha256,
      source: planted.ibanSpaced,
    },
    backend_checks: {
      has_metadata: true,
      amount_check: {
        expected_amount: '2500.00',
        invoice_amount: '2500.00',
        absolute_diff: '0.00',
        relative_diff: '0.000000',
        amount_tolerance: '0.00',
        currency_expected: 'EUR',
        currency_actual: 'EUR',
        currency_match: true,
        amount_match: true,
      },
      iban_check: { expected_iban_last4: '0189', invoice_iban_last4: '0189', match: true },
      date_check: {
        expected_date_min: null,
        expected_date_max: null,
        invoice_date: '2026-11-20',
        in_range: null,
        days_from_min: null,
        days_from_max: null,
      },
      supplier_check: {
        expected_name: planted.supplier,
        actual_name: planted.supplier,
        exact_match: true,
      },
    },
    invoice: {
      total_amount: '2500.00',
      currency: 'EUR',
      invoice_date: '2026-11-20',
      invoice_number: 'F-2026-042',
      iban_last4: '0189',
      supplier_name: planted.supplier,
    },
    evidence: {
      capture_time: null,
      capture_time_source: null,
      gps_present: false,
      geofence: null,
      exif: { make: 'Zebulon', model: planted.fileId, software: planted.storageUrl },
    },
    flags: ['possible_duplicate', planted.fileId],
  };
}
