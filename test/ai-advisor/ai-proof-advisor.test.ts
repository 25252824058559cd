/**
 * The AI proof advisor with the real @anthropic-ai/sdk against a local stand-in of the Messages
 * API: a verdict read from a reply (and the configured model sent), replies that break the
 * contract, a timeout (before the headers and in the middle of the body), 5xx answers and their
 * retry, a 4xx that is not retried, an unreachable host, and the breaker: it opens after N failed
 * attempts (retries included; no request reaches the server while it is open), half-opens after
 * the cooldown (the clock is injected) for one single trial, closes on the trial's success and
 * opens again on its failure. Disabled or without a key, nothing is sent.
 */
import { type AddressInfo, createServer } from 'node:net';
import { type AiProofAdvisorOptions, AiProofAdvisor } from '@kob/ai-advisor';
import { type FakeMessagesApi, messageText, startFakeMessagesApi } from './fake-messages-api';
import { documentProof } from './proof-inputs';

const MODEL = 'claude-test-model-7';
const START_MS = Date.parse('2026-11-27T10:00:00.000Z');
const COOLDOWN_MS = 60_000;

let api: FakeMessagesApi;
let nowMs = START_MS;

beforeEach(async () => {
  api = await startFakeMessagesApi();
  nowMs = START_MS;
});
afterEach(async () => {
  await api.close();
});

function advisor(overrides: Partial<AiProofAdvisorOptions> = {}): AiProofAdvisor {
  return new AiProofAdvisor({
    enabled: true,
    apiKey: 'sk-test-key',
    baseUrl: api.baseUrl,
    model: MODEL,
    // Far above a local answer, even the first (cold) call of a fresh SDK client on a loaded
    // machine: an attempt that overran a tight default would be retried and break the tests that
    // count requests. The timeout tests set their own short timeoutMs.
    timeoutMs: 5_000,
    breakerFailuresMax: 3,
    breakerCooldownMs: COOLDOWN_MS,
    sendImage: false,
    now: () => nowMs,
    retryBackoffMs: 5,
    ...overrides,
  });
}

const CLEAN = {
  risk_level: 'clean',
  score: 0.82,
  flags: [],
  explanation: 'The invoice matches the milestone amount and currency.',
};
const serverError = {
  kind: 'raw',
  status: 503,
  body: '{"type":"error","error":{"type":"api_error","message":"down"}}',
} as const;

describe('a reply', () => {
  it('gives a verdict with a decimal-string score, and the configured model was sent', async () => {
    api.respond = () => ({
      ...messageText({
        risk_level: 'warning',
        score: 0.5555,
        flags: ['amount_mismatch'],
        explanation: 'Le montant facturé diffère du jalon.',
      }),
      model: `${MODEL}-20261101`,
    });
    const a = advisor();
    const verdict = await a.assess(documentProof());

    expect(verdict).toEqual({
      risk_level: 'warning',
      score: '0.556',
      flags: ['amount_mismatch'],
      explanation: 'Le montant facturé diffère du jalon.',
      reason: null,
      model: `${MODEL}-20261101`,
      checked_at: '2026-11-27T10:00:00.000Z',
    });
    expect(api.requests).toHaveLength(1);
    const request = api.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/messages');
    // This SDK version sends the key as a bearer token.
    expect(request.headers.authorization).toBe('Bearer sk-test-key');
    const body = api.json(0);
    expect(body.model).toBe(MODEL);
    expect(typeof body.system).toBe('string');
    expect(body.system).toContain('"risk_level": "clean" | "warning" | "suspect"');
    const messages = body.messages as Array<{
      role: string;
      content: Array<{ type: string; text?: string }>;
    }>;
    expect(messages).toHaveLength(1);
    expect(messages[0]!.content.map((c) => c.type)).toEqual(['text']);
    const text = messages[0]!.content[0]!.text!;
    const context = JSON.parse(
      text.slice(text.indexOf('JSON_CONTEXT:\n') + 'JSON_CONTEXT:\n'.length),
    ) as Record<string, any>;
    // Money went as strings (B3).
    expect(context.milestone.amount).toBe('2500.00');
    expect(context.backend_checks.amount_check.absolute_diff).toBe('0.00');
    expect(a.status()).toMatchObject({
      enabled: true,
      breaker: 'closed',
      consecutive_failures: 0,
      calls: 1,
      attempts: 1,
      failures: 0,
    });
  });

  it('is read inside a ```json fence too, and a score of 1 or 0 is kept as "1.000" / "0.000"', async () => {
    api.respond = (_r, i) =>
      messageText(
        i === 0
          ? '```json\n' + JSON.stringify({ ...CLEAN, score: 1 }) + '\n```'
          : JSON.stringify({ ...CLEAN, risk_level: 'suspect', score: 0 }),
      );
    const a = advisor();
    expect(await a.assess(documentProof())).toMatchObject({
      risk_level: 'clean',
      score: '1.000',
      reason: null,
    });
    expect(await a.assess(documentProof())).toMatchObject({
      risk_level: 'suspect',
      score: '0.000',
      reason: null,
    });
  });

  it.each([
    ['prose', 'The proof looks fine to me.'],
    ['prose around the JSON', `Here you go: ${JSON.stringify(CLEAN)}`],
    ['an unknown risk level', JSON.stringify({ ...CLEAN, risk_level: 'low' })],
    ['an upper-case risk level', JSON.stringify({ ...CLEAN, risk_level: 'CLEAN' })],
    ['a score above 1', JSON.stringify({ ...CLEAN, score: 1.2 })],
    ['a score as a string', JSON.stringify({ ...CLEAN, score: '0.8' })],
    ['a missing score', JSON.stringify({ risk_level: 'clean', flags: [], explanation: 'ok' })],
    ['an extra key', JSON.stringify({ ...CLEAN, approve_payout: true })],
    ['flags that are not a list', JSON.stringify({ ...CLEAN, flags: 'amount_mismatch' })],
    [
      'a flag that is a sentence',
      JSON.stringify({ ...CLEAN, flags: ['The amount does not match'] }),
    ],
    [
      'too many flags',
      JSON.stringify({ ...CLEAN, flags: Array.from({ length: 17 }, (_, i) => `flag_${i}`) }),
    ],
    ['an empty explanation', JSON.stringify({ ...CLEAN, explanation: '   ' })],
    ['an explanation too long', JSON.stringify({ ...CLEAN, explanation: 'x'.repeat(1_501) })],
    ['a JSON array', JSON.stringify([CLEAN])],
    ['truncated JSON', JSON.stringify(CLEAN).slice(0, 30)],
  ])(
    'with %s is malformed_output: unavailable, not retried, and a breaker failure',
    async (_what, text) => {
      api.respond = () => messageText(text);
      const a = advisor();
      const verdict = await a.assess(documentProof());
      expect(verdict).toMatchObject({
        risk_level: 'unavailable',
        score: null,
        flags: [],
        reason: 'malformed_output',
        model: MODEL,
      });
      expect(api.requests).toHaveLength(1);
      expect(a.status()).toMatchObject({ consecutive_failures: 1, attempts: 1, failures: 1 });
    },
  );

  it('cut at max_tokens, or with no text block, or not JSON at all, is malformed_output', async () => {
    const a = advisor({ breakerFailuresMax: 10 });
    api.respond = () => ({ ...messageText(CLEAN), stopReason: 'max_tokens' });
    expect((await a.assess(documentProof())).reason).toBe('malformed_output');
    api.respond = () => ({
      kind: 'raw',
      status: 200,
      body: JSON.stringify({
        id: 'm',
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: 'end_turn',
        usage: {},
      }),
    });
    expect((await a.assess(documentProof())).reason).toBe('malformed_output');
    api.respond = () => ({
      kind: 'raw',
      status: 200,
      body: '<html>gateway</html>',
      contentType: 'text/html',
    });
    expect((await a.assess(documentProof())).reason).toBe('malformed_output');
    api.respond = () => ({
      kind: 'raw',
      status: 200,
      body: '{"id": "m", "content": [',
      contentType: 'application/json',
    });
    expect((await a.assess(documentProof())).reason).toBe('malformed_output');
    expect(api.requests).toHaveLength(4);
    expect(a.status()).toMatchObject({ consecutive_failures: 4, failures: 4, breaker: 'closed' });
  });
});

describe('failures that are retried once, each attempt counted by the breaker', () => {
  it('a server slower than timeoutMs: timeout, two attempts, in about two timeouts', async () => {
    api.respond = () => ({ ...messageText(CLEAN), delayMs: 1_000 });
    const a = advisor({ timeoutMs: 150 });
    const started = Date.now();
    const verdict = await a.assess(documentProof());
    const elapsedMs = Date.now() - started;
    expect(verdict).toMatchObject({ risk_level: 'unavailable', reason: 'timeout', score: null });
    expect(api.requests).toHaveLength(2);
    expect(elapsedMs).toBeGreaterThanOrEqual(280);
    expect(elapsedMs).toBeLessThan(1_500); // the server would answer after 1 s, twice
    expect(a.status()).toMatchObject({
      consecutive_failures: 2,
      attempts: 2,
      failures: 2,
      breaker: 'closed',
    });
  });

  it('a body that starts and never ends is a timeout too (the deadline covers the body)', async () => {
    api.respond = () => ({ kind: 'stall_body' });
    const a = advisor({ timeoutMs: 150, attemptsPerCallMax: 1 });
    const started = Date.now();
    expect(await a.assess(documentProof())).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  }, 5_000);

  it('a 503: http_error after two requests; a 503 then a reply: the verdict, and the count reset', async () => {
    api.respond = () => serverError;
    const a = advisor({ breakerFailuresMax: 5 });
    const failed = await a.assess(documentProof());
    expect(failed).toMatchObject({ risk_level: 'unavailable', reason: 'http_error' });
    expect(failed.explanation).toContain('HTTP 503');
    expect(api.requests).toHaveLength(2);
    expect(a.status()).toMatchObject({ consecutive_failures: 2, failures: 2, attempts: 2 });

    api.respond = (_r, i) =>
      i === 2
        ? {
            kind: 'raw',
            status: 529,
            body: '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}',
          }
        : messageText(CLEAN);
    expect(await a.assess(documentProof())).toMatchObject({
      risk_level: 'clean',
      score: '0.820',
      reason: null,
    });
    expect(api.requests).toHaveLength(4);
    expect(a.status()).toMatchObject({
      consecutive_failures: 0,
      failures: 3,
      attempts: 4,
      calls: 2,
      breaker: 'closed',
    });
  });

  it('a 400 (a bad request or model) is not retried, and still counts', async () => {
    api.respond = () => ({
      kind: 'raw',
      status: 400,
      body: '{"type":"error","error":{"type":"invalid_request_error","message":"model: not found"}}',
    });
    const a = advisor();
    expect(await a.assess(documentProof())).toMatchObject({ reason: 'http_error' });
    expect(api.requests).toHaveLength(1);
    expect(a.status()).toMatchObject({ consecutive_failures: 1 });
  });

  it('an unreachable host: connection_error after two attempts', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const a = advisor({ baseUrl: `http://127.0.0.1:${closedPort}` });
    expect(await a.assess(documentProof())).toMatchObject({
      risk_level: 'unavailable',
      reason: 'connection_error',
    });
    expect(a.status()).toMatchObject({ attempts: 2, failures: 2, consecutive_failures: 2 });
  });
});

describe('the breaker', () => {
  async function openIt(a: AiProofAdvisor): Promise<void> {
    api.respond = () => serverError;
    expect((await a.assess(documentProof())).reason).toBe('http_error'); // two failed attempts
    expect((await a.assess(documentProof())).reason).toBe('http_error'); // the third opens it: no retry after that
    expect(a.status()).toMatchObject({
      breaker: 'open',
      consecutive_failures: 3,
      opened_at: '2026-11-27T10:00:00.000Z',
    });
    expect(api.requests).toHaveLength(3);
  }

  it('opens after breakerFailuresMax failed attempts, retries included, and then sends nothing', async () => {
    const a = advisor();
    await openIt(a);
    api.respond = () => messageText(CLEAN);
    for (let i = 0; i < 3; i++) {
      expect(await a.assess(documentProof())).toMatchObject({
        risk_level: 'unavailable',
        reason: 'circuit_breaker_open',
        score: null,
      });
    }
    expect(api.requests).toHaveLength(3);
    expect(a.status()).toMatchObject({ breaker: 'open', refused: 3, calls: 2 });
  });

  it('half-opens after the cooldown, and one successful trial closes it', async () => {
    const a = advisor();
    await openIt(a);
    api.respond = () => messageText(CLEAN);
    nowMs = START_MS + COOLDOWN_MS - 1;
    expect((await a.assess(documentProof())).reason).toBe('circuit_breaker_open');
    expect(api.requests).toHaveLength(3);

    nowMs = START_MS + COOLDOWN_MS;
    expect(a.status().breaker).toBe('half_open');
    expect(await a.assess(documentProof())).toMatchObject({ risk_level: 'clean', reason: null });
    expect(api.requests).toHaveLength(4);
    expect(a.status()).toMatchObject({
      breaker: 'closed',
      consecutive_failures: 0,
      opened_at: null,
    });
    expect((await a.assess(documentProof())).risk_level).toBe('clean');
  });

  it('half-open lets one trial through at a time, with no retry; its failure opens it for a new cooldown', async () => {
    const a = advisor();
    await openIt(a);
    nowMs = START_MS + COOLDOWN_MS;
    api.respond = () => ({ ...serverError, delayMs: 50 });
    const [trial, concurrent] = await Promise.all([
      a.assess(documentProof()),
      a.assess(documentProof()),
    ]);
    expect(trial).toMatchObject({ reason: 'http_error' });
    expect(concurrent).toMatchObject({ reason: 'circuit_breaker_open' });
    expect(api.requests).toHaveLength(4); // one trial request, not retried
    expect(a.status()).toMatchObject({
      breaker: 'open',
      consecutive_failures: 4,
      opened_at: '2026-11-27T10:01:00.000Z',
    });

    api.respond = () => messageText(CLEAN);
    nowMs = START_MS + 2 * COOLDOWN_MS - 1;
    expect((await a.assess(documentProof())).reason).toBe('circuit_breaker_open');
    nowMs = START_MS + 2 * COOLDOWN_MS;
    expect((await a.assess(documentProof())).reason).toBeNull();
    expect(a.status()).toMatchObject({ breaker: 'closed', consecutive_failures: 0 });
    expect(api.requests).toHaveLength(5);
  });

  it('a malformed reply counts toward it like an HTTP failure', async () => {
    api.respond = () => messageText('not json');
    const a = advisor();
    for (let i = 0; i < 3; i++) await a.assess(documentProof());
    expect(a.status()).toMatchObject({ breaker: 'open', consecutive_failures: 3 });
    expect((await a.assess(documentProof())).reason).toBe('circuit_breaker_open');
    expect(api.requests).toHaveLength(3);
  });
});

describe('gates before any request', () => {
  it('disabled: unavailable ai_disabled, nothing sent', async () => {
    const a = advisor({ enabled: false });
    expect(a.enabled).toBe(false);
    const verdict = await a.assess(documentProof());
    expect(verdict).toEqual({
      risk_level: 'unavailable',
      score: null,
      flags: [],
      explanation: expect.stringContaining('disabled'),
      reason: 'ai_disabled',
      model: MODEL,
      checked_at: '2026-11-27T10:00:00.000Z',
    });
    expect(api.requests).toHaveLength(0);
    expect(a.status()).toMatchObject({ enabled: false, calls: 0, attempts: 0 });
  });

  it.each([null, '', '   '])(
    'no API key (%p): unavailable missing_api_key, nothing sent',
    async (apiKey) => {
      const a = advisor({ apiKey });
      expect(await a.assess(documentProof())).toMatchObject({
        risk_level: 'unavailable',
        reason: 'missing_api_key',
      });
      expect(api.requests).toHaveLength(0);
    },
  );

  it('never throws, even on input that is not what the types say', async () => {
    const a = advisor();
    const junk = {
      proof_type: 42,
      milestone: 'x',
      escrow: null,
      metadata: [1, 2],
      evidence: undefined,
      backend_checks: 'x',
      invoice: 7,
      flags: 'x',
      image: { bytes: 'nope', mime: 'image/png' },
    };
    const verdict = await a.assess(junk as never);
    expect(verdict.risk_level).toBe('clean');
    const throwingClock = advisor({
      now: () => {
        throw new Error('clock');
      },
    });
    await expect(throwingClock.assess(documentProof())).resolves.toMatchObject({
      risk_level: expect.any(String),
    });
  });
});
