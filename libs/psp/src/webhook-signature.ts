/**
 * PSP webhook authentication, exactly as the old service's clients sign (KOBATELA-SPEC §4.11):
 * signed string = `<X-PSP-Timestamp as sent>.<raw body as UTF-8>`, signature = lowercase hex
 * HMAC-SHA256 keyed with the secret, compared in constant time, primary secret then
 * `PSP_WEBHOOK_SECRET_NEXT` (rotation), timestamp within the allowed drift. Pure: the clock is
 * passed in, nothing is stored (replay protection belongs to the caller, persisted).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookRejection =
  | { code: 'WEBHOOK_SIGNATURE_MISSING'; message: string }
  | { code: 'WEBHOOK_TIMESTAMP_INVALID'; message: string }
  | {
      code: 'WEBHOOK_TIMESTAMP_DRIFT';
      message: string;
      details: { age_seconds: number; max_drift_seconds: number };
    }
  | { code: 'WEBHOOK_SIGNATURE_INVALID'; message: string };

export type WebhookVerdict =
  | { ok: true; timestampSeconds: number; secret: 'primary' | 'next' }
  | { ok: false; rejection: WebhookRejection };

export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('hex');
}

/** Unix seconds (possibly fractional, truncated) or ISO-8601; null when neither. */
export function parseWebhookTimestamp(value: string): number | null {
  const trimmed = value.trim();
  if (/^\d{1,12}(\.\d+)?$/.test(trimmed)) return Math.trunc(Number(trimmed));
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? null : Math.trunc(ms / 1000);
  }
  return null;
}

export interface VerifyInput {
  signature: string | undefined;
  timestamp: string | undefined;
  rawBody: string | Buffer;
  secrets: { primary: string | null; next: string | null };
  nowSeconds: number;
  maxDriftSeconds: number;
}

export function verifyWebhook(input: VerifyInput): WebhookVerdict {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) {
    return reject({
      code: 'WEBHOOK_SIGNATURE_MISSING',
      message: 'X-PSP-Signature and X-PSP-Timestamp are required',
    });
  }
  const seconds = parseWebhookTimestamp(timestamp);
  if (seconds === null) {
    return reject({
      code: 'WEBHOOK_TIMESTAMP_INVALID',
      message: 'X-PSP-Timestamp is neither Unix seconds nor ISO-8601',
    });
  }
  const age = input.nowSeconds - seconds;
  if (Math.abs(age) > input.maxDriftSeconds) {
    return reject({
      code: 'WEBHOOK_TIMESTAMP_DRIFT',
      message: 'the webhook timestamp is too far from now',
      details: { age_seconds: age, max_drift_seconds: input.maxDriftSeconds },
    });
  }
  for (const which of ['primary', 'next'] as const) {
    const secret = input.secrets[which];
    if (secret && sameHex(signWebhook(secret, timestamp, input.rawBody), signature)) {
      return { ok: true, timestampSeconds: seconds, secret: which };
    }
  }
  return reject({
    code: 'WEBHOOK_SIGNATURE_INVALID',
    message: 'the webhook signature does not match',
  });
}

function reject(rejection: WebhookRejection): WebhookVerdict {
  return { ok: false, rejection };
}

/** Constant time over equal-length buffers; a different length is simply not equal. */
function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
