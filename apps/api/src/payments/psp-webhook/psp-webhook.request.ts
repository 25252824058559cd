/**
 * The fields of a signed PSP webhook (KOBATELA-SPEC §4.11 steps 6 and 8), read from its raw body
 * once the signature has been checked: a JSON object of storable values, an event id (body
 * `event_id` or `id`, else the X-PSP-Event-Id header), and what to act on from the body only.
 */
import { pspWebhookLimits } from '@kob/domain';
import { ApiError } from '../../http/api-error';
import { malformedJson, unstorable } from '../../http/json-body';
import type { WebhookInput } from '../shared';
import type { PspWebhookHeaders } from './psp-webhook.command';

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

function jsonObject(raw: string): Record<string, unknown> {
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
  return body as Record<string, unknown>;
}

export function webhookInput(
  raw: string,
  headers: PspWebhookHeaders,
  signedWith: 'primary' | 'next',
): WebhookInput {
  const b = jsonObject(raw);
  const l = pspWebhookLimits;
  const eventId = field([b.event_id, b.id, headers.eventId], 'event_id', l.eventIdLengthMax);
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
    headerPspRef: field([headers.pspRef], 'X-PSP-Ref', l.pspRefLengthMax),
    payload: b,
    signedWith,
  };
}
