/** The webhook signature scheme of KOBATELA-SPEC §4.11, with rotation and drift. */
import { createHmac } from 'node:crypto';
import { parseWebhookTimestamp, signWebhook, verifyWebhook } from './webhook-signature';

const NOW = 1_800_000_000;
const body = '{"event_id":"evt_1","type":"payment.settled","psp_ref":"PSP-1","amount":"10.00"}';
const base = {
  rawBody: body,
  secrets: { primary: 'primary-secret', next: null },
  nowSeconds: NOW,
  maxDriftSeconds: 300,
};

describe('PSP webhook signature', () => {
  it('is lowercase hex HMAC-SHA256 over "<timestamp>.<raw body>"', () => {
    const expected = createHmac('sha256', 'primary-secret').update(`${NOW}.${body}`).digest('hex');
    expect(signWebhook('primary-secret', String(NOW), body)).toBe(expected);
  });

  it('accepts the primary or the next secret (rotation), and says which', () => {
    const ts = String(NOW);
    expect(
      verifyWebhook({ ...base, timestamp: ts, signature: signWebhook('primary-secret', ts, body) }),
    ).toEqual({
      ok: true,
      timestampSeconds: NOW,
      secret: 'primary',
    });
    const rotating = { ...base, secrets: { primary: 'old', next: 'new' } };
    expect(
      verifyWebhook({ ...rotating, timestamp: ts, signature: signWebhook('new', ts, body) }),
    ).toMatchObject({ ok: true, secret: 'next' });
    const onlyNext = { ...base, secrets: { primary: null, next: 'new' } };
    expect(
      verifyWebhook({ ...onlyNext, timestamp: ts, signature: signWebhook('new', ts, body) }),
    ).toMatchObject({ ok: true });
  });

  it('refuses missing headers, bad timestamps, drift and wrong signatures with their codes', () => {
    const ts = String(NOW);
    const good = signWebhook('primary-secret', ts, body);
    const code = (v: ReturnType<typeof verifyWebhook>) => (v.ok ? 'ok' : v.rejection.code);
    expect(code(verifyWebhook({ ...base, timestamp: ts, signature: undefined }))).toBe(
      'WEBHOOK_SIGNATURE_MISSING',
    );
    expect(code(verifyWebhook({ ...base, timestamp: undefined, signature: good }))).toBe(
      'WEBHOOK_SIGNATURE_MISSING',
    );
    expect(code(verifyWebhook({ ...base, timestamp: 'yesterday', signature: good }))).toBe(
      'WEBHOOK_TIMESTAMP_INVALID',
    );
    const old = String(NOW - 301);
    const drift = verifyWebhook({
      ...base,
      timestamp: old,
      signature: signWebhook('primary-secret', old, body),
    });
    expect(drift).toEqual({
      ok: false,
      rejection: expect.objectContaining({
        code: 'WEBHOOK_TIMESTAMP_DRIFT',
        details: { age_seconds: 301, max_drift_seconds: 300 },
      }),
    });
    expect(
      code(
        verifyWebhook({
          ...base,
          timestamp: String(NOW + 300),
          signature: signWebhook('primary-secret', String(NOW + 300), body),
        }),
      ),
    ).toBe('ok');
    expect(code(verifyWebhook({ ...base, timestamp: ts, signature: good.toUpperCase() }))).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    expect(code(verifyWebhook({ ...base, timestamp: ts, signature: `sha256=${good}` }))).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    expect(
      code(verifyWebhook({ ...base, rawBody: `${body} `, timestamp: ts, signature: good })),
    ).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(code(verifyWebhook({ ...base, timestamp: `${ts}.0`, signature: good }))).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
  });

  it('signs over the timestamp exactly as sent (fractional and ISO forms)', () => {
    for (const ts of [`${NOW}.75`, '2027-01-15T08:00:00Z']) {
      const seconds = parseWebhookTimestamp(ts)!;
      const v = verifyWebhook({
        ...base,
        nowSeconds: seconds,
        timestamp: ts,
        signature: signWebhook('primary-secret', ts, body),
      });
      expect(v).toMatchObject({ ok: true, timestampSeconds: seconds });
    }
    expect(parseWebhookTimestamp(`${NOW}.75`)).toBe(NOW);
    expect(parseWebhookTimestamp('2027-01-15T08:00:00+01:00')).toBe(
      Date.parse('2027-01-15T07:00:00Z') / 1000,
    );
    expect(parseWebhookTimestamp('1e9')).toBeNull();
    expect(parseWebhookTimestamp('')).toBeNull();
  });
});
