/**
 * The PSP webhook decider as given/when/then specs: one stream per webhook event, received once
 * (a repeat receipt appends nothing: the persisted replay guard), then an outcome; `applied` and
 * `ignored` are final, `parked` (reference not known yet) becomes `applied` once the reference is
 * recorded, and a repeat of the same outcome appends nothing; field lengths are validated.
 */
import { deciderSpec } from '../testing/decider-spec';
import {
  type ReceivePspWebhook,
  type RecordPspWebhookOutcome,
  pspWebhookDecider,
  pspWebhookLimits,
} from './psp-webhook.decider';
import type { PspWebhookEvent, WebhookOutcome } from './psp-webhook.events';

const spec = deciderSpec(pspWebhookDecider);
const fold = (events: PspWebhookEvent[]) =>
  events.reduce(pspWebhookDecider.evolve, pspWebhookDecider.initialState());
const NOW = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-01T10:05:00.000Z';

const receive = (over: Partial<ReceivePspWebhook> = {}): ReceivePspWebhook => ({
  type: 'ReceivePspWebhook',
  provider: 'simulator',
  eventId: 'evt-1',
  kind: 'payment.settled',
  pspRef: 'SIM-1',
  payload: { id: 'evt-1', type: 'payment.settled', psp_ref: 'SIM-1' },
  signedWith: 'primary',
  now: NOW,
  ...over,
});
const received: PspWebhookEvent = {
  type: 'psp.webhook_received.v1',
  data: {
    provider: 'simulator',
    eventId: 'evt-1',
    kind: 'payment.settled',
    pspRef: 'SIM-1',
    payload: { id: 'evt-1', type: 'payment.settled', psp_ref: 'SIM-1' },
    signedWith: 'primary',
    receivedAt: NOW,
  },
};

const outcome = (
  o: WebhookOutcome,
  detail: string | null = null,
  target: string | null = null,
): RecordPspWebhookOutcome => ({
  type: 'RecordPspWebhookOutcome',
  outcome: o,
  detail,
  target,
  now: LATER,
});
const processed = (
  o: WebhookOutcome,
  detail: string | null = null,
  target: string | null = null,
): PspWebhookEvent => ({
  type: 'psp.webhook_processed.v1',
  data: { provider: 'simulator', eventId: 'evt-1', outcome: o, detail, target, processedAt: LATER },
});

describe('psp webhook decider: receipt', () => {
  it('records a webhook event once, with its payload and the secret that signed it', () => {
    spec.given([]).when(receive()).then([received]);
    const next = receive({ signedWith: 'next', pspRef: null });
    spec
      .given([])
      .when(next)
      .then([{ ...received, data: { ...received.data, signedWith: 'next', pspRef: null } }]);
  });

  it('appends nothing for a repeat receipt, processed or not, whatever it carries', () => {
    spec.given([received]).when(receive()).then([]);
    spec
      .given([received])
      .when(receive({ payload: { other: true }, now: LATER }))
      .then([]);
    spec
      .given([received, processed('applied')])
      .when(receive())
      .then([]);
  });

  it('validates the lengths of provider, event id, type and reference', () => {
    const l = pspWebhookLimits;
    const bad: Partial<ReceivePspWebhook>[] = [
      { provider: '' },
      { provider: 'p'.repeat(l.providerLengthMax + 1) },
      { eventId: '' },
      { eventId: 'e'.repeat(l.eventIdLengthMax + 1) },
      { kind: '' },
      { kind: 'k'.repeat(l.kindLengthMax + 1) },
      { pspRef: '' },
      { pspRef: 'r'.repeat(l.pspRefLengthMax + 1) },
    ];
    for (const over of bad) spec.given([]).when(receive(over)).thenError('VALIDATION_ERROR');
    const longest = {
      provider: 'p'.repeat(l.providerLengthMax),
      eventId: 'e'.repeat(l.eventIdLengthMax),
      kind: 'k'.repeat(l.kindLengthMax),
      pspRef: 'r'.repeat(l.pspRefLengthMax),
    };
    spec
      .given([])
      .when(receive(longest))
      .then([{ ...received, data: { ...received.data, ...longest } }]);
  });

  it('names the field it refuses (the kind is the webhook body type)', () => {
    let caught: unknown;
    try {
      pspWebhookDecider.decide(receive({ kind: '' }), pspWebhookDecider.initialState());
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { fields: { type: [expect.any(String)] } },
    });
  });
});

describe('psp webhook decider: outcome', () => {
  it('records the first outcome of a received webhook', () => {
    for (const o of ['applied', 'ignored', 'parked'] as const) {
      spec
        .given([received])
        .when(outcome(o, 'payment.settled', 'escrow-e1'))
        .then([processed(o, 'payment.settled', 'escrow-e1')]);
    }
  });

  it('refuses an outcome for a webhook never received', () => {
    spec.given([]).when(outcome('applied')).thenError('PSP_WEBHOOK_NOT_FOUND');
  });

  it('keeps applied and ignored final: any later outcome appends nothing', () => {
    for (const final of ['applied', 'ignored'] as const) {
      for (const later of ['applied', 'ignored', 'parked'] as const) {
        spec
          .given([received, processed(final)])
          .when(outcome(later))
          .then([]);
      }
    }
  });

  it('applies a parked webhook once its reference is recorded, and parks it only once', () => {
    const parked = [received, processed('parked', 'reference not known yet')];
    spec.given(parked).when(outcome('parked', 'reference not known yet')).then([]);
    spec
      .given(parked)
      .when(outcome('applied', 'payment.settled', 'escrow-e1'))
      .then([processed('applied', 'payment.settled', 'escrow-e1')]);
    const applied = [...parked, processed('applied', 'payment.settled', 'escrow-e1')];
    spec.given(applied).when(outcome('applied')).then([]);
    expect(fold(applied)).toMatchObject({
      outcome: 'applied',
      detail: 'payment.settled',
      processedAt: LATER,
    });
  });
});
