/**
 * PSP webhook events, on one `psp-webhook-{hash of provider and event id}` stream per webhook
 * event the PSP sent: its receipt (which is also the persisted replay guard: a second receipt of
 * the same event appends nothing) and what processing it did. A webhook for a reference not
 * known yet is parked: a `psp.webhook_parked.v1` marker on the reference's `psp-ref-…`
 * reservation stream names it, so whoever records that reference applies it.
 */
export type WebhookOutcome = 'applied' | 'ignored' | 'parked';

export interface PspWebhookReceivedData {
  provider: string;
  eventId: string;
  kind: string;
  /** The reference named in the signed body (the only one acted on). */
  pspRef: string | null;
  /**
   * A reference given only in the X-PSP-Ref header: kept for audit, never acted on, because the
   * signature covers the timestamp and the body, not the headers (a replayed body with another
   * header could otherwise move another payment).
   */
  headerPspRef?: string | null;
  /** The body as the PSP sent it (parsed JSON), kept for audit. */
  payload: Record<string, unknown>;
  signedWith: 'primary' | 'next';
  receivedAt: string;
}

export interface PspWebhookProcessedData {
  provider: string;
  eventId: string;
  outcome: WebhookOutcome;
  /** Why it was ignored or parked, or what it changed (`payment.settled`, …). */
  detail: string | null;
  /** The escrow stream it was applied to, when the reference was known. */
  target: string | null;
  processedAt: string;
}

/** On a `psp-ref-…` stream: a webhook waits there for the reference to be recorded. */
export interface PspWebhookParkedData {
  webhookStream: string;
  provider: string;
  eventId: string;
  pspRef: string;
  parkedAt: string;
}

export const PSP_WEBHOOK_PARKED = 'psp.webhook_parked.v1';

export type PspWebhookEvent =
  | { type: 'psp.webhook_received.v1'; data: PspWebhookReceivedData }
  | { type: 'psp.webhook_processed.v1'; data: PspWebhookProcessedData };
