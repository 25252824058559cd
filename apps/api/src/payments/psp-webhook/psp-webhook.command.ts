import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';

/** The headers of a PSP webhook that its handler reads (as sent; the first of repeated ones). */
export interface PspWebhookHeaders {
  signature: string | undefined;
  timestamp: string | undefined;
  eventId: string | undefined;
  pspRef: string | undefined;
}

export interface PspWebhookAnswer {
  ok: 'true';
  event_id: string;
  processed_at: string;
  outcome: string;
  duplicate?: true;
}

/** A PSP's report, unverified yet: the raw body (the signature covers its bytes) and headers. */
export class ReceivePspWebhookCommand extends Command<Committed<PspWebhookAnswer>> {
  constructor(
    readonly rawBody: string,
    readonly headers: PspWebhookHeaders,
    /** The request id: the correlation and causation of what the webhook appends. */
    readonly requestId: string,
  ) {
    super();
  }
}
