/**
 * The AI proof advisor (issue 5; KOBATELA-SPEC §4.7 with B3, B4, B16, B23, R5c and IA-3 fixed):
 * asks Claude, through the Anthropic Messages API and the official SDK, how genuine and consistent
 * a proof looks, and returns a verdict a human reviewer weighs. It never approves, rejects or
 * blocks anything itself, and it never throws: whatever goes wrong gives
 * `risk_level: "unavailable"` with the reason (not the reference's fake `warning`, which made every
 * approval need a note, B23).
 *
 * - Off by default (`AI_PROOF_ADVISOR_ENABLED`); no key → `missing_api_key`; the configured model
 *   is the one sent (B16).
 * - What is sent: the allowlisted context of `ai-context.ts` (no storage URL, file id, sha256,
 *   names, emails, phones or IBAN digits), and an image only when `sendImage` is on, only the
 *   preview bytes the caller gives (the EXIF-stripped downscaled copy), and only if they are a
 *   JPEG/PNG/GIF/WebP of their stated type that carries no EXIF or XMP block.
 * - Retries and the breaker: the SDK is built with `maxRetries: 0`, so every HTTP request it makes
 *   is one this class asked for; the class retries itself (at most `attemptsPerCallMax` attempts,
 *   only after a timeout, a connection error or a 408/409/429/5xx, with `retryBackoffMs` between)
 *   and reports every failed attempt to the breaker. Doing the retries here rather than in the SDK
 *   is what lets the breaker count them, stop a call's retries as soon as it opens, bound the wait
 *   (the SDK would sleep 0.5–8 s, or whatever `retry-after` says), and keep a half-open trial to
 *   one single request. A reply that breaks the output contract counts as a failure too (a model
 *   or gateway that answers junk is not working), but is not retried.
 * - Each attempt is bounded by `timeoutMs` from the request to the end of the body: the SDK's own
 *   timeout covers the request up to the response headers only, so an abort signal armed for the
 *   same time covers the body as well.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { assert } from '@kob/kernel';
import { aiAdvisorLimits as L } from './ai-advisor-limits';
import {
  type ProofAssessmentInput,
  buildAiContext,
  contextJson,
  isPlainObject,
} from './ai-context';
import { type AiRiskLevel, type AiVerdictFields, parseReply } from './ai-output';
import { SYSTEM_PROMPT, userText } from './ai-prompt';
import { type BreakerState, CircuitBreaker } from './circuit-breaker';

/**
 * The SDK, loaded when a client is first made (issue 16, memory): with the advisor off, as by
 * default, a process never loads it (about 24 MB of resident memory, 8 MB of heap).
 */
type AnthropicSdk = typeof import('@anthropic-ai/sdk');
let sdk: AnthropicSdk | undefined;
function anthropicSdk(): AnthropicSdk {
  sdk ??= require('@anthropic-ai/sdk') as AnthropicSdk;
  return sdk;
}

export type AiUnavailableReason =
  | 'ai_disabled'
  | 'missing_api_key'
  | 'circuit_breaker_open'
  | 'timeout'
  | 'connection_error'
  | 'http_error'
  | 'malformed_output'
  | 'internal_error';

export interface AiAssessment {
  risk_level: AiRiskLevel | 'unavailable';
  /** A decimal string with 3 places ("0.820"), never a float; null when unavailable. */
  score: string | null;
  flags: string[];
  explanation: string;
  /** Why the verdict is unavailable; null when there is one. */
  reason: AiUnavailableReason | null;
  /** The model that answered (as the API reports it), else the configured one. */
  model: string;
  checked_at: string;
}

export interface AiProofAdvisorOptions {
  enabled: boolean;
  apiKey: string | null;
  /** The API's base URL; null for Anthropic's own (the environment is never read here). */
  baseUrl: string | null;
  model: string;
  /** One attempt's limit, from sending the request to the end of the response body. */
  timeoutMs: number;
  breakerFailuresMax: number;
  breakerCooldownMs: number;
  /** `AI_PROOF_SEND_IMAGE`: whether the preview image goes with the context. */
  sendImage: boolean;
  now?: () => number;
  /** Default `aiAdvisorLimits.attemptsPerCallMax` / `retryBackoffMs` (tests shorten the wait). */
  attemptsPerCallMax?: number;
  retryBackoffMs?: number;
}

export interface AiAdvisorStatus {
  enabled: boolean;
  breaker: BreakerState;
  consecutive_failures: number;
  opened_at: string | null;
  /** Assessments that were let through to the provider (not refused by a gate). */
  calls: number;
  /** HTTP requests made, retries included. */
  attempts: number;
  /** Failed attempts (timeouts, errors, malformed replies). */
  failures: number;
  /** Assessments refused because the breaker was open. */
  refused: number;
  /** Images not sent although asked for (unsupported type, too large, metadata present). */
  images_withheld: number;
}

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];
type ImageSource = Anthropic.Base64ImageSource & { media_type: ImageType };
type MessageParams = Anthropic.MessageCreateParamsNonStreaming;
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/;
/** A bound on the attempts option, whatever a caller passes. */
const ATTEMPTS_PER_CALL_CEILING = 5;

/** Byte sequences of metadata blocks: EXIF (JPEG APP1, WebP chunk), PNG eXIf, XMP packets. */
const METADATA_MARKERS = ['Exif\0\0', 'eXIf', 'http://ns.adobe.com/xap/1.0/'].map((marker) =>
  Buffer.from(marker, 'latin1'),
);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const EXPLANATIONS: Record<AiUnavailableReason, string> = {
  ai_disabled: 'The AI proof advisor is disabled.',
  missing_api_key: 'The AI proof advisor has no API key configured.',
  circuit_breaker_open:
    'The AI proof advisor is paused after repeated failures and will try again later.',
  timeout: 'The AI provider did not answer in time.',
  connection_error: 'The AI provider could not be reached.',
  http_error: 'The AI provider answered with an error.',
  malformed_output: 'The AI reply did not follow the expected format.',
  internal_error: 'The AI assessment failed unexpectedly.',
};

type AttemptOutcome =
  | (AiVerdictFields & { ok: true; model: string | null })
  | { ok: false; reason: AiUnavailableReason; retryable: boolean; detail: string | null };

function magicMatches(bytes: Buffer, mime: ImageType): boolean {
  switch (mime) {
    case 'image/jpeg':
      return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    case 'image/png':
      return bytes.subarray(0, 8).equals(PNG_SIGNATURE);
    case 'image/gif':
      return bytes.subarray(0, 4).toString('latin1') === 'GIF8';
    case 'image/webp':
      return (
        bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
        bytes.subarray(8, 12).toString('latin1') === 'WEBP'
      );
  }
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export class AiProofAdvisor {
  readonly enabled: boolean;
  private readonly client: Anthropic | null;
  private readonly breaker: CircuitBreaker;
  private readonly now: () => number;
  private readonly attemptsPerCallMax: number;
  private readonly retryBackoffMs: number;
  private readonly counters = {
    calls: 0,
    attempts: 0,
    failures: 0,
    refused: 0,
    images_withheld: 0,
  };

  constructor(private readonly options: AiProofAdvisorOptions) {
    assert(options.model.trim().length > 0, 'AI advisor model is set');
    assert(
      Number.isInteger(options.timeoutMs) && options.timeoutMs >= 1,
      'AI advisor timeoutMs is an integer >= 1',
    );
    this.enabled = options.enabled;
    this.now = options.now ?? Date.now;
    this.attemptsPerCallMax = options.attemptsPerCallMax ?? L.attemptsPerCallMax;
    this.retryBackoffMs = options.retryBackoffMs ?? L.retryBackoffMs;
    assert(
      Number.isInteger(this.attemptsPerCallMax) && this.attemptsPerCallMax >= 1,
      'AI advisor attempts per call is an integer >= 1',
    );
    assert(this.attemptsPerCallMax <= ATTEMPTS_PER_CALL_CEILING, 'AI attempts per call <= 5');
    assert(Number.isFinite(this.retryBackoffMs) && this.retryBackoffMs >= 0, 'AI backoff >= 0');
    this.breaker = new CircuitBreaker({
      failuresMax: options.breakerFailuresMax,
      cooldownMs: options.breakerCooldownMs,
      now: this.now,
    });
    const apiKey = options.apiKey?.trim() ?? '';
    this.client =
      options.enabled && apiKey.length > 0
        ? new (anthropicSdk().default)({
            apiKey,
            baseURL: options.baseUrl ?? DEFAULT_BASE_URL,
            timeout: options.timeoutMs,
            // Every attempt is made, and counted, by this class (see the header).
            maxRetries: 0,
            logLevel: 'warn',
            // Spans for the calls, but never their content, and no trace headers to a third party.
            openTelemetry: { propagation: false, traces: { contentMode: 'metadata_only' } },
          })
        : null;
  }

  status(): AiAdvisorStatus {
    const breaker = this.breaker.snapshot();
    return {
      enabled: this.enabled,
      breaker: breaker.state,
      consecutive_failures: breaker.consecutive_failures,
      opened_at: breaker.opened_at,
      ...this.counters,
    };
  }

  /** The verdict for one proof. Never throws. */
  async assess(input: ProofAssessmentInput): Promise<AiAssessment> {
    try {
      return await this.assessOrThrow(input);
    } catch {
      return this.unavailable('internal_error', null);
    }
  }

  private async assessOrThrow(input: ProofAssessmentInput): Promise<AiAssessment> {
    if (!this.enabled) return this.unavailable('ai_disabled', null);
    if (this.client === null) return this.unavailable('missing_api_key', null);
    const image = this.imageToSend(input.image);
    const context = buildAiContext(input, { imageAttached: image !== null });
    const params = this.request(contextJson(context), image);

    const permit = this.breaker.acquire();
    if (permit === 'refused') {
      this.counters.refused += 1;
      return this.unavailable('circuit_breaker_open', null);
    }
    this.counters.calls += 1;
    let last: AttemptOutcome | null = null;
    try {
      for (let attempt = 1; attempt <= this.attemptsPerCallMax; attempt++) {
        if (last !== null) {
          if (last.ok || !last.retryable || !this.breaker.mayRetry(permit)) break;
          await new Promise((resolve) => setTimeout(resolve, this.retryBackoffMs));
          if (!this.breaker.mayRetry(permit)) break;
        }
        last = await this.attempt(this.client, params);
        this.counters.attempts += 1;
        if (last.ok) {
          this.breaker.success();
          return this.verdict(last);
        }
        this.counters.failures += 1;
        this.breaker.failure(permit);
      }
    } finally {
      if (last === null) this.breaker.release(permit);
    }
    assert(last !== null && !last.ok, 'a call that did not succeed made a failed attempt');
    return this.unavailable(last.reason, last.detail);
  }

  private request(context: string, image: ImageSource | null): MessageParams {
    const content: Anthropic.ContentBlockParam[] = [];
    if (image) content.push({ type: 'image', source: image });
    content.push({ type: 'text', text: userText(context, image !== null) });
    return {
      model: this.options.model,
      max_tokens: L.outputTokensMax,
      system: SYSTEM_PROMPT,
      messages: [{ role: 'user', content }],
    };
  }

  /** The preview as an image block's source, or null when it must not (or cannot) be sent. */
  private imageToSend(image: ProofAssessmentInput['image']): ImageSource | null {
    if (!this.options.sendImage || !image) return null;
    const mime = IMAGE_TYPES.find((t) => t === image.mime);
    const bytes = image.bytes;
    const sendable =
      mime !== undefined &&
      Buffer.isBuffer(bytes) &&
      bytes.length > 0 &&
      bytes.length <= L.imageBytesMax &&
      magicMatches(bytes, mime) &&
      !METADATA_MARKERS.some((marker) => bytes.includes(marker));
    if (!sendable || mime === undefined) {
      this.counters.images_withheld += 1;
      return null;
    }
    return { type: 'base64', media_type: mime, data: bytes.toString('base64') };
  }

  private async attempt(client: Anthropic, params: MessageParams): Promise<AttemptOutcome> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    try {
      const message: unknown = await client.messages.create(params, {
        signal: deadline.signal,
        timeout: this.options.timeoutMs,
        maxRetries: 0,
      });
      return readMessage(message);
    } catch (err) {
      return classifyError(err, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  private verdict(outcome: Extract<AttemptOutcome, { ok: true }>): AiAssessment {
    return {
      risk_level: outcome.risk_level,
      score: outcome.score,
      flags: outcome.flags,
      explanation: outcome.explanation,
      reason: null,
      model: outcome.model ?? this.options.model,
      checked_at: this.checkedAt(),
    };
  }

  private unavailable(reason: AiUnavailableReason, detail: string | null): AiAssessment {
    const what = detail ? `${EXPLANATIONS[reason]} (${detail})` : EXPLANATIONS[reason];
    return {
      risk_level: 'unavailable',
      score: null,
      flags: [],
      explanation: `${what} No AI opinion on this proof: review it as usual.`,
      reason,
      model: this.options.model,
      checked_at: this.checkedAt(),
    };
  }

  private checkedAt(): string {
    let ms: number;
    try {
      ms = this.now();
    } catch {
      ms = Date.now();
    }
    return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
  }
}

/** A Messages API reply → the verdict, or `malformed_output`. */
function readMessage(message: unknown): AttemptOutcome {
  const malformed = (detail: string): AttemptOutcome => ({
    ok: false,
    reason: 'malformed_output',
    retryable: false,
    detail,
  });
  if (!isPlainObject(message) || !Array.isArray(message.content)) return malformed('not a message');
  if (message.stop_reason === 'max_tokens') return malformed('reply cut at max_tokens');
  const texts: string[] = [];
  for (const block of message.content) {
    if (isPlainObject(block) && block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
    }
  }
  if (texts.length === 0) return malformed('no text in the reply');
  const parsed = parseReply(texts.join(''));
  if (!parsed.ok) return malformed(parsed.problem);
  const reported = message.model;
  const model = typeof reported === 'string' && MODEL_NAME.test(reported) ? reported : null;
  return { ok: true, ...parsed.verdict, model };
}

function isObject(value: unknown): value is { name?: unknown } {
  return typeof value === 'object' && value !== null;
}

function classifyError(err: unknown, deadlinePassed: boolean): AttemptOutcome {
  const failed = (reason: AiUnavailableReason, retryable: boolean, detail: string | null = null) =>
    ({ ok: false, reason, retryable, detail }) as const;
  // Only made by a client, so the SDK is loaded by now.
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } =
    anthropicSdk();
  // Only this class aborts (at its deadline), so an abort is a timeout.
  const aborted = err instanceof APIUserAbortError;
  if (deadlinePassed || aborted || err instanceof APIConnectionTimeoutError) {
    return failed('timeout', true);
  }
  if (err instanceof APIConnectionError) return failed('connection_error', true);
  if (err instanceof APIError && typeof err.status === 'number') {
    return failed('http_error', retryableStatus(err.status), `HTTP ${err.status}`);
  }
  // A 2xx whose JSON body does not parse (by name: the error may come from another realm's JSON).
  if (isObject(err) && err.name === 'SyntaxError') {
    return failed('malformed_output', false, 'reply is not JSON');
  }
  return failed('internal_error', false);
}
