/**
 * One PSP webhook event's stream: received once (the persisted replay guard: a repeat of the
 * receipt appends nothing, on every replica and after restarts), then processed: `applied` and
 * `ignored` are final, `parked` (its reference was not known yet) becomes `applied` once the
 * reference is recorded. The handler decides what applying means on the escrow stream; this
 * decider only keeps the webhook's own record straight. Pure: time comes in the command.
 */
import { DomainError } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertFound, decideByType } from '../decider-kit';
import type { PspWebhookEvent, PspWebhookReceivedData, WebhookOutcome } from './psp-webhook.events';

export interface ReceivePspWebhook extends Omit<PspWebhookReceivedData, 'receivedAt'> {
  type: 'ReceivePspWebhook';
  now: string;
}

export interface RecordPspWebhookOutcome {
  type: 'RecordPspWebhookOutcome';
  outcome: WebhookOutcome;
  detail: string | null;
  target: string | null;
  now: string;
}

export type PspWebhookCommand = ReceivePspWebhook | RecordPspWebhookOutcome;

export interface PspWebhookState {
  exists: boolean;
  provider: string;
  eventId: string;
  kind: string;
  pspRef: string | null;
  headerPspRef: string | null;
  receivedAt: string;
  outcome: WebhookOutcome | null;
  detail: string | null;
  processedAt: string | null;
  /**
   * The amount and currency the PSP states in the signed body (`amount`, `currency`), as text; a
   * deposit confirmation credits only what it states, and only when that is what was asked.
   */
  reported: { amount: string | null; currency: string | null };
}

export const pspWebhookLimits = {
  eventIdLengthMax: 255,
  providerLengthMax: 64,
  kindLengthMax: 100,
  pspRefLengthMax: 255,
} as const;

function initialState(): PspWebhookState {
  return {
    exists: false,
    provider: '',
    eventId: '',
    kind: '',
    pspRef: null,
    headerPspRef: null,
    receivedAt: '',
    outcome: null,
    detail: null,
    processedAt: null,
    reported: { amount: null, currency: null },
  };
}

/** A stated value of the signed body, if it is text (a number is not a stated decimal). */
function statedText(payload: Record<string, unknown>, key: string): string | null {
  const value = payload[key];
  return typeof value === 'string' ? value : null;
}

function text(value: string, field: string, max: number): string {
  if (value.length === 0 || value.length > max) {
    throw new DomainError(
      'VALIDATION_ERROR',
      `${field} must have 1 to ${max} characters`,
      'invalid',
      {
        fields: { [field]: [`must have 1 to ${max} characters`] },
      },
    );
  }
  return value;
}

function receive(command: ReceivePspWebhook, state: PspWebhookState): PspWebhookEvent[] {
  if (state.exists) return [];
  const l = pspWebhookLimits;
  return [
    {
      type: 'psp.webhook_received.v1',
      data: {
        provider: text(command.provider, 'provider', l.providerLengthMax),
        eventId: text(command.eventId, 'event_id', l.eventIdLengthMax),
        kind: text(command.kind, 'type', l.kindLengthMax),
        pspRef: command.pspRef === null ? null : text(command.pspRef, 'psp_ref', l.pspRefLengthMax),
        ...(command.headerPspRef
          ? { headerPspRef: text(command.headerPspRef, 'X-PSP-Ref', l.pspRefLengthMax) }
          : {}),
        payload: command.payload,
        signedWith: command.signedWith,
        receivedAt: command.now,
      },
    },
  ];
}

function recordOutcome(
  command: RecordPspWebhookOutcome,
  state: PspWebhookState,
): PspWebhookEvent[] {
  assertFound(state, 'PSP_WEBHOOK_NOT_FOUND', 'webhook');
  // Final outcomes stay; a parked webhook is parked once (its marker says where it waits).
  if (
    state.outcome === 'applied' ||
    state.outcome === 'ignored' ||
    state.outcome === command.outcome
  )
    return [];
  const { provider, eventId } = state;
  const { outcome, detail, target, now } = command;
  return [
    {
      type: 'psp.webhook_processed.v1',
      data: { provider, eventId, outcome, detail, target, processedAt: now },
    },
  ];
}

export const pspWebhookDecider: Decider<PspWebhookState, PspWebhookCommand, PspWebhookEvent> = {
  category: 'psp-webhook',
  initialState,
  evolve(state, event) {
    switch (event.type) {
      case 'psp.webhook_received.v1': {
        const d = event.data;
        return {
          ...state,
          exists: true,
          provider: d.provider,
          eventId: d.eventId,
          kind: d.kind,
          pspRef: d.pspRef,
          headerPspRef: d.headerPspRef ?? null,
          receivedAt: d.receivedAt,
          reported: {
            amount: statedText(d.payload, 'amount'),
            currency: statedText(d.payload, 'currency'),
          },
        };
      }
      case 'psp.webhook_processed.v1':
        return {
          ...state,
          outcome: event.data.outcome,
          detail: event.data.detail,
          processedAt: event.data.processedAt,
        };
      default:
        return state;
    }
  },
  decide: decideByType(
    { ReceivePspWebhook: receive, RecordPspWebhookOutcome: recordOutcome },
    'psp webhook command',
  ),
};
