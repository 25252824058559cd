/**
 * `POST /psp/webhook`: the PSP's reports (payment settled or failed, deposit confirmed or
 * failed), authenticated by HMAC instead of an API key, exactly as KOBATELA-SPEC §4.11 signs
 * them: lowercase hex HMAC-SHA256 over `"<X-PSP-Timestamp as sent>.<raw body>"`, the primary
 * secret then `PSP_WEBHOOK_SECRET_NEXT`, timestamp within `PSP_WEBHOOK_MAX_DRIFT_SECONDS`. The
 * signature is checked on the raw bytes before the body is parsed. Answers (API-RULES.md §6):
 * 200 `{"ok":"true","event_id","processed_at"}`, with `"duplicate": true` for an event already
 * processed (which changes nothing); a reference not known yet is stored and applied later.
 */
import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pspWebhookLimits } from '@kob/domain';
import { newId, systemActor } from '@kob/kernel';
import type { PaymentServices, WebhookInput } from './shared';
import type { Platform } from '@kob/platform';
import { verifyWebhook } from '@kob/psp';
import { Public } from '../auth/access.decorator';
import { ApiError } from '../http/api-error';
import { malformedJson, unstorable } from '../http/json-body';
import { ReadYourWrites } from '../http/read-your-writes';
import { PAYMENTS, PLATFORM } from '../tokens';

export const PSP_WEBHOOK_PATH = '/psp/webhook';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function invalid(field: string, problem: string): ApiError {
  return new ApiError(422, 'VALIDATION_ERROR', `${field} ${problem}`, {
    fields: { [field]: [problem] },
  });
}

/**
 * The first given of several spellings of a text field (body keys, then a header): absent, null
 * and blank values are skipped; a number is read as its digits; anything else is a 422.
 */
function field(values: unknown[], name: string, lengthMax: number): string | null {
  for (const value of values) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string') throw invalid(name, 'must be a string');
    if (text.trim() === '') continue;
    if (text.length > lengthMax) throw invalid(name, `must have at most ${lengthMax} characters`);
    return text;
  }
  return null;
}

@ApiTags('psp')
@Public()
@Controller('psp')
export class PspWebhookController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  @ApiOkResponse({
    description: '{"ok":"true","event_id","processed_at"} (+ "duplicate": true for a repeat)',
  })
  async webhook(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const { config } = this.platform;
    if (!config.pspWebhookSecret && !config.pspWebhookSecretNext) {
      // Only in development: elsewhere the API refuses to start without a secret.
      throw new ApiError(503, 'PSP_WEBHOOK_NOT_CONFIGURED', 'PSP webhook secret not configured');
    }
    const raw = typeof req.body === 'string' ? req.body : '';
    const verdict = verifyWebhook({
      signature: header(req, 'x-psp-signature'),
      timestamp: header(req, 'x-psp-timestamp'),
      rawBody: raw,
      secrets: { primary: config.pspWebhookSecret, next: config.pspWebhookSecretNext },
      nowSeconds: Math.trunc(Date.now() / 1000),
      maxDriftSeconds: config.pspWebhookMaxDriftSeconds,
    });
    if (!verdict.ok) {
      const r = verdict.rejection;
      throw new ApiError(401, r.code, r.message, 'details' in r ? r.details : undefined);
    }
    const input = this.read(req, raw, verdict.secret);
    const metadata = {
      actor: systemActor('psp:webhook'),
      commandId: newId(),
      correlationId: String(req.id),
      causationId: String(req.id),
      now: new Date(),
    };
    const answer = await this.payments.webhooks.receive(input, metadata);
    await this.ryw.afterCommand(reply, answer.position);
    return {
      ok: 'true',
      event_id: answer.eventId,
      processed_at: answer.processedAt,
      outcome: answer.outcome,
      ...(answer.duplicate ? { duplicate: true } : {}),
    };
  }

  /** The event's fields (KOBATELA-SPEC §4.11 steps 6 and 8), from a signed body. */
  private read(req: FastifyRequest, raw: string, signedWith: 'primary' | 'next'): WebhookInput {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw malformedJson();
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw invalid('body', 'must be a JSON object');
    const problem = unstorable(body, '', 0);
    if (problem) throw invalid(problem.path || 'body', problem.reason);
    const b = body as Record<string, unknown>;
    const l = pspWebhookLimits;
    const eventId = field(
      [b.event_id, b.id, header(req, 'x-psp-event-id')],
      'event_id',
      l.eventIdLengthMax,
    );
    if (eventId === null)
      throw new ApiError(
        400,
        'MISSING_EVENT_ID',
        'the webhook names no event_id (body event_id or id, or X-PSP-Event-Id)',
      );
    return {
      provider: field([b.provider], 'provider', l.providerLengthMax) ?? 'default',
      eventId,
      kind: field([b.type, b.event], 'type', l.kindLengthMax) ?? 'unknown',
      // Only the signed body may name what to act on; the header is kept for audit.
      pspRef: field([b.psp_ref, b.payment_reference], 'psp_ref', l.pspRefLengthMax),
      headerPspRef: field([header(req, 'x-psp-ref')], 'X-PSP-Ref', l.pspRefLengthMax),
      payload: b,
      signedWith,
    };
  }
}
