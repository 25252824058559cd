/**
 * A PSP webhook, authenticated by HMAC instead of an API key, exactly as KOBATELA-SPEC §4.11
 * signs them: lowercase hex HMAC-SHA256 over `"<X-PSP-Timestamp as sent>.<raw body>"`, the
 * primary secret then `PSP_WEBHOOK_SECRET_NEXT`, timestamp within
 * `PSP_WEBHOOK_MAX_DRIFT_SECONDS`. The signature is checked on the raw bytes before the body is
 * parsed; then the event is received and applied (payments/shared/psp-webhooks.ts).
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newId, systemActor } from '@kob/kernel';
import { verifyWebhook } from '@kob/psp';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { PAYMENTS } from '../../tokens';
import type { PaymentServices } from '../shared';
import { type PspWebhookAnswer, ReceivePspWebhookCommand } from './psp-webhook.command';
import { webhookInput } from './psp-webhook.request';

@CommandHandler(ReceivePspWebhookCommand)
export class ReceivePspWebhookHandler implements ICommandHandler<ReceivePspWebhookCommand> {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(command: ReceivePspWebhookCommand): Promise<Committed<PspWebhookAnswer>> {
    const { rawBody, headers, requestId } = command;
    const input = webhookInput(rawBody, headers, this.verify(command));
    const metadata = {
      actor: systemActor('psp:webhook'),
      commandId: newId(),
      correlationId: requestId,
      causationId: requestId,
      now: new Date(),
    };
    const answer = await this.payments.webhooks.receive(input, metadata);
    const view: PspWebhookAnswer = {
      ok: 'true',
      event_id: answer.eventId,
      processed_at: answer.processedAt,
      outcome: answer.outcome,
      ...(answer.duplicate ? { duplicate: true as const } : {}),
    };
    return new Committed(view, answer.position);
  }

  /** The secret the body was signed with; 401 for a bad signature or timestamp. */
  private verify({ rawBody, headers }: ReceivePspWebhookCommand): 'primary' | 'next' {
    const { config } = this;
    if (!config.pspWebhookSecret && !config.pspWebhookSecretNext) {
      // Only in development: elsewhere the API refuses to start without a secret.
      throw new ApiError(503, 'PSP_WEBHOOK_NOT_CONFIGURED', 'PSP webhook secret not configured');
    }
    const verdict = verifyWebhook({
      signature: headers.signature,
      timestamp: headers.timestamp,
      rawBody,
      secrets: { primary: config.pspWebhookSecret, next: config.pspWebhookSecretNext },
      nowSeconds: Math.trunc(Date.now() / 1000),
      maxDriftSeconds: config.pspWebhookMaxDriftSeconds,
    });
    if (!verdict.ok) {
      const r = verdict.rejection;
      throw new ApiError(401, r.code, r.message, 'details' in r ? r.details : undefined);
    }
    return verdict.secret;
  }
}
