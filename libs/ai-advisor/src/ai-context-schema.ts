/** The allowlist of the AI context: every key that may pass, and the kind of value it holds. */

/**
 * The kind of value a key may hold. `presence` sends `<key>_present: boolean` instead of the value.
 */
export type Kind =
  | 'amount'
  | 'currency'
  | 'date'
  | 'place'
  | 'label'
  | 'device'
  | 'token'
  | 'tokens'
  | 'number'
  | 'boolean'
  | 'presence';
export interface Schema {
  readonly [key: string]: Kind | Schema;
}

export const REQUIREMENTS: Schema = {
  file_type: 'token',
  expected_country: 'place',
  expected_city: 'place',
  expected_currency: 'currency',
  expected_amount: 'amount',
  expected_quantity: 'amount',
  expected_unit_price: 'amount',
  expected_date_min: 'date',
  expected_date_max: 'date',
  gps_required: 'boolean',
  // Who is to be paid, and the account: whether they are set, never what they are.
  expected_store_name: 'presence',
  expected_beneficiary: 'presence',
  expected_iban: 'presence',
  expected_iban_last4: 'presence',
  // expected_description and notes are free text: dropped.
};

export const METADATA: Schema = {
  invoice_total_amount: 'amount',
  invoice_amount: 'amount',
  total_amount: 'amount',
  total: 'amount',
  invoice_currency: 'currency',
  currency: 'currency',
  invoice_date: 'date',
  exif_timestamp: 'date',
  supplier_city: 'place',
  supplier_country: 'place',
  beneficiary_city: 'place',
  beneficiary_country: 'place',
  gps_accuracy_m: 'number',
  file_type: 'token',
  file_mime_type: 'token',
  file_pages: 'number',
  status: 'token',
  ocr_status: 'token',
  ocr_provider: 'token',
  source: 'token',
  gps_lat: 'presence',
  gps_lng: 'presence',
  invoice_number: 'presence',
  iban_last4: 'presence',
  invoice_iban_last4: 'presence',
  supplier_name: 'presence',
  invoice_supplier_name: 'presence',
};

export const BACKEND_CHECKS: Schema = {
  has_metadata: 'boolean',
  amount_check: {
    expected_amount: 'amount',
    invoice_amount: 'amount',
    absolute_diff: 'amount',
    relative_diff: 'amount',
    amount_tolerance: 'amount',
    currency_expected: 'currency',
    currency_actual: 'currency',
    currency_match: 'boolean',
    amount_match: 'boolean',
  },
  iban_check: { expected_iban_last4: 'presence', invoice_iban_last4: 'presence', match: 'boolean' },
  date_check: {
    expected_date_min: 'date',
    expected_date_max: 'date',
    invoice_date: 'date',
    in_range: 'boolean',
    days_from_min: 'number',
    days_from_max: 'number',
  },
  supplier_check: { expected_name: 'presence', actual_name: 'presence', exact_match: 'boolean' },
  // The photo checks.
  geofence_configured: 'boolean',
  validation_ok: 'boolean',
  validation_reason: 'token',
};

export const CONTEXT: Schema = {
  proof_type: 'token',
  milestone: {
    label: 'label',
    amount: 'amount',
    currency: 'currency',
    proof_kind: 'token',
    proof_requirements: REQUIREMENTS,
  },
  escrow: { amount_total: 'amount', currency: 'currency', domain: 'token' },
  metadata: METADATA,
  evidence: {
    capture_time: 'date',
    capture_time_source: 'token',
    gps_present: 'boolean',
    geofence: { configured: 'boolean', distance_m: 'number', inside: 'boolean' },
    exif: { make: 'device', model: 'device', software: 'device' },
  },
  backend_checks: BACKEND_CHECKS,
  invoice: {
    total_amount: 'amount',
    currency: 'currency',
    invoice_date: 'date',
    invoice_number: 'presence',
    iban_last4: 'presence',
    supplier_name: 'presence',
  },
  ocr_status: 'token',
  flags: 'tokens',
};
