/**
 * Properties of the AI advisor's context (issue 12; KOBATELA-SPEC §4.7), over arbitrary client
 * input (metadata and proof requirements of any JSON shape, labels, proof types, EXIF text of any
 * Unicode): building it never throws, its JSON is well-formed and round-trips, and a value the
 * client put under an identifying key (a supplier or beneficiary name, an email, an IBAN), however
 * deep, never reaches the model, not even when the client repeats it in the milestone label.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  illFormedStrings,
  jsonObject,
  jsonRoundTrip,
  propertyParams,
  text,
} from '@test/hostile-values';
import { type ProofAssessmentInput, buildAiContext, contextJson } from './ai-context';

const IDENTIFYING_KEYS = [
  'supplier_name',
  'beneficiary_name',
  'contact_email',
  'iban',
  'account_holder',
  'phone',
] as const;

const inputs = fc.record({
  proofType: text({ lengthMax: 50 }),
  label: text({ lengthMax: 255 }),
  requirements: jsonObject({ stringLengthMax: 20_000, depthMax: 32 }),
  metadata: jsonObject({ stringLengthMax: 12_000, depthMax: 30 }),
  exif: fc.record({
    make: text({ lengthMax: 128 }),
    model: text({ lengthMax: 128 }),
    software: text({ lengthMax: 128 }),
  }),
  identifying: fc.constantFrom(...IDENTIFYING_KEYS),
  around: text({ lengthMax: 40 }),
  nestedUnder: fc.option(fc.constantFrom('bank', 'supplier', 'details', '__proto__'), {
    nil: null,
  }),
});

type Inputs = typeof inputs extends fc.Arbitrary<infer T> ? T : never;

function assessment(i: Inputs, secret: string): ProofAssessmentInput {
  const value = `${i.around} ${secret} ${i.around}`;
  const placed =
    i.nestedUnder === null
      ? { [i.identifying]: value }
      : { [i.nestedUnder]: { [i.identifying]: value } };
  return {
    proof_type: i.proofType,
    milestone: {
      label: `${i.label} ${secret}`,
      amount: '40.00',
      currency: 'USD',
      proof_kind: 'INVOICE',
      proof_requirements: i.requirements,
    },
    escrow: { amount_total: '100.00', currency: 'USD', domain: 'private' },
    metadata: { ...i.metadata, ...placed },
    evidence: {
      capture_time: null,
      capture_time_source: null,
      gps_present: false,
      geofence: null,
      exif: i.exif,
    },
    backend_checks: i.requirements,
    invoice: null,
    ocr_status: null,
    flags: [i.around],
    image: null,
  } as ProofAssessmentInput;
}

describe('AI context under arbitrary client input', () => {
  it('never throws, is well-formed JSON and never carries an identifying value', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        // A word of its own, so any occurrence in the context is the client's value leaking.
        const secret = `zq${randomBytes(5).toString('hex')}`;
        const json = contextJson(buildAiContext(assessment(i, secret), { imageAttached: false }));
        expect(illFormedStrings(JSON.parse(json))).toEqual([]);
        const { text: again } = jsonRoundTrip(JSON.parse(json));
        expect(again).toBe(json);
        expect(json.includes(secret)).toBe(false);
      }),
      propertyParams(100),
    );
  });
});
