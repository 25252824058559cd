/**
 * No secret ever reaches the logs. The app starts with every secret of its configuration set to
 * a distinctive value, clients send keys in `Authorization` and `X-API-Key` (on successes, 4xx
 * answers, a 500 and a route that logs its request headers), and then no captured log line may
 * contain any of those values, nor the secret half of a key.
 */
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';

const SECRETS = {
  API_KEY_SECRET: 'cfg-api-key-secret-Zq8Rk2Lm4Np6Tv8Xb0Dd',
  PSP_WEBHOOK_SECRET: 'whsec-psp-webhook-secret-Hj5Kq1Wz7Ye3',
  DEV_API_KEY: 'koba_d3d3d3.DevKeySecretHalf_Vt4Gm8Qp2Ls6Rn0Xk',
  ANTHROPIC_API_KEY: 'sk-ant-anthropic-secret-Bf9Cw3Nh7Jd1Mz5',
  BOOTSTRAP_ADMIN_API_KEY: 'koba_b0b0b0.BootstrapSecretHalf_Ee2Uu6Ii0Oo4Aa8',
} as const;
const CLIENT_KEY = 'koba_c1c1c1.ClientSecretHalf_Pp3Ll7Kk1Jj5Hh9Gg';
/** Credentials a client put in a URL: a signed URL's signature, a token, an S3 signature. */
const URL_SECRETS = {
  sig: 'UrlSigSecret_Wq4Er8Ty2Ui6',
  signature: 'UrlSignatureSecret_As3Df7Gh1',
  token: 'UrlTokenSecret_Zx5Cv9Bn3Mm',
  'X-Amz-Signature': 'AmzSignatureSecret_Qa1Ws2Ed3',
  'X-Amz-Credential': 'AmzCredentialSecret_Rf4Tg5Yh6',
} as const;
const SECRET_QUERY = Object.entries(URL_SECRETS)
  .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
  .join('&');

/** Every value that must never be logged: each secret whole, and the part after a key's prefix. */
const FORBIDDEN = [...Object.values(SECRETS), CLIENT_KEY, ...Object.values(URL_SECRETS)].flatMap(
  (value) => {
    const dot = value.indexOf('.');
    return dot === -1 ? [value] : [value, value.slice(dot + 1)];
  },
);

describe('secrets in logs', () => {
  for (const level of ['info', 'trace']) {
    describe(`at LOG_LEVEL=${level}`, () => {
      let t: TestApp;
      beforeAll(async () => {
        t = await startTestApp({
          controllers: [ProbeController],
          env: { ...SECRETS, LOG_LEVEL: level },
        });
        const keyed = (extra: Record<string, string> = {}) => ({
          authorization: `Bearer ${SECRETS.BOOTSTRAP_ADMIN_API_KEY}`,
          'x-api-key': SECRETS.DEV_API_KEY,
          ...extra,
        });
        const answers = [
          await t.app.inject({
            method: 'POST',
            url: '/probe/tallies',
            headers: keyed({ 'content-type': 'application/json', 'idempotency-key': 'logs-1' }),
            payload: JSON.stringify({ currency: 'USD' }),
          }),
          await t.app.inject({
            method: 'POST',
            url: '/probe/tallies',
            headers: keyed({ 'content-type': 'application/json', 'idempotency-key': 'logs-1' }),
            payload: JSON.stringify({ currency: 'EUR' }),
          }),
          await t.app.inject({
            method: 'POST',
            url: '/probe/tallies',
            headers: keyed({ 'content-type': 'application/json' }),
            payload: '{"currency":',
          }),
          await t.app.inject({
            method: 'GET',
            url: '/probe/boom/plain',
            headers: { authorization: `Bearer ${CLIENT_KEY}`, 'x-api-key': CLIENT_KEY },
          }),
          await t.app.inject({ method: 'GET', url: '/probe/log-headers', headers: keyed() }),
          await t.app.inject({ method: 'GET', url: '/health', headers: keyed() }),
          await t.app.inject({ method: 'GET', url: '/nope', headers: keyed() }),
          // A client that puts its key in the query string: the logged URL must not carry it.
          await t.app.inject({
            method: 'GET',
            url: `/health?api_key=${encodeURIComponent(CLIENT_KEY)}&x=1`,
          }),
          // Signed-URL signatures and tokens in the query string, on every kind of answer: a
          // success, an unknown route, a refused key, a bug, a preflight, a malformed URL.
          await t.app.inject({ method: 'GET', url: `/health?${SECRET_QUERY}` }),
          await t.app.inject({ method: 'GET', url: `/nope?${SECRET_QUERY}` }),
          await t.app.inject({
            method: 'GET',
            url: `/escrows?${SECRET_QUERY}`,
            headers: { 'x-api-key': CLIENT_KEY },
          }),
          await t.app.inject({ method: 'GET', url: `/probe/boom/plain?${SECRET_QUERY}` }),
          await t.app.inject({
            method: 'OPTIONS',
            url: `/escrows?${SECRET_QUERY}`,
            headers: {
              origin: 'https://evil.example.test',
              'access-control-request-method': 'GET',
            },
          }),
          await t.app.inject({ method: 'GET', url: `/probe/items/%E0%A4%A?${SECRET_QUERY}` }),
        ];
        expect(answers.map((a) => a.statusCode)).toEqual([
          201, 422, 400, 500, 200, 200, 404, 200, 200, 404, 401, 500, 403, 400,
        ]);
      });
      afterAll(() => t.close());

      it('captured the request logs, the logged headers and the bug', () => {
        const lines = t.logs.map((l) => JSON.parse(l) as { level: number; msg?: string });
        expect(lines.filter((l) => l.msg === 'incoming request').length).toBeGreaterThanOrEqual(13);
        expect(lines.filter((l) => l.msg === 'probe: request headers')).toHaveLength(1);
        expect(lines.filter((l) => l.level === 50)).toHaveLength(2);
      });

      it('redacts the key headers where code logs them', () => {
        const logged = t.logs
          .map((l) => JSON.parse(l) as { msg?: string; headers?: Record<string, unknown> })
          .filter((l) => l.msg === 'probe: request headers');
        expect(logged).toHaveLength(1);
        expect(logged[0]?.headers).toMatchObject({
          authorization: '[redacted]',
          'x-api-key': '[redacted]',
        });
        const nested = t.logs
          .map(
            (l) =>
              JSON.parse(l) as { msg?: string; request?: { headers?: Record<string, unknown> } },
          )
          .filter((l) => l.msg === 'probe: nested request headers');
        expect(nested[0]?.request?.headers).toMatchObject({
          authorization: '[redacted]',
          'x-api-key': '[redacted]',
        });
        const queryLine = t.logs.find((l) => l.includes('/health?api_key='));
        expect(queryLine).toContain('api_key=%5Bredacted%5D');
        const signed = t.logs.filter((l) => l.includes('/health?') && l.includes('sig='));
        expect(signed.length).toBeGreaterThan(0);
        for (const line of signed) expect(line).toContain('sig=%5Bredacted%5D');
      });

      it('logs none of the secrets', () => {
        const leaks = FORBIDDEN.flatMap((secret) =>
          t.logs.filter((line) => line.includes(secret)).map((line) => ({ secret, line })),
        );
        expect(leaks).toEqual([]);
      });
    });
  }
});
