/**
 * Security headers on every answer (issue 12 point 6): nosniff, no framing (`X-Frame-Options:
 * DENY` and CSP `frame-ancestors 'none'`), `Referrer-Policy: no-referrer`, `Cache-Control:
 * no-store` (answers carry balances, personal data and, once, keys), on successes, errors,
 * preflights and errors Fastify answers before routing, and on the Swagger UI, whose policy still
 * lets its own scripts, styles and images load. HSTS only over TLS: directly, or said by a proxy
 * named in `TRUST_PROXY`; never on plain http, never because an untrusted client says https.
 */
import type { Response } from 'light-my-request';
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';

const ORIGIN = 'https://app.example.test';
const PROXY = '10.1.2.3';

function expectBaseline(res: Response, what: string): void {
  const h = res.headers;
  expect({
    what,
    nosniff: h['x-content-type-options'],
    frame: h['x-frame-options'],
    referrer: h['referrer-policy'],
    // helmet's other headers too, on the answers its request hook never saw as well.
    opener: h['cross-origin-opener-policy'],
  }).toEqual({
    what,
    nosniff: 'nosniff',
    frame: 'DENY',
    referrer: 'no-referrer',
    opener: 'same-origin',
  });
  expect({ what, csp: String(h['content-security-policy']) }).toEqual({
    what,
    csp: expect.stringContaining("frame-ancestors 'none'"),
  });
  expect({ what, requestId: h['x-request-id'] }).toEqual({
    what,
    requestId: expect.stringMatching(/\S/),
  });
}

/** The CSP of an answer as a map of directive → sources. */
function csp(res: Response): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of String(res.headers['content-security-policy']).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name] = values;
  }
  return out;
}

describe('security headers', () => {
  let t: TestApp;
  let adminKey: string;
  beforeAll(async () => {
    adminKey = `koba_5ec0de.${'S'.repeat(43)}`;
    t = await startTestApp({
      controllers: [ProbeController],
      env: { CORS_ALLOW_ORIGINS: ORIGIN, BOOTSTRAP_ADMIN_API_KEY: adminKey, TRUST_PROXY: PROXY },
    });
  });
  afterAll(() => t.close());

  it('are on every kind of answer, each no-store', async () => {
    const answers: [string, Response][] = [
      ['200 JSON', await t.app.inject({ method: 'GET', url: '/health' })],
      ['metrics', await t.app.inject({ method: 'GET', url: '/metrics' })],
      ['openapi', await t.app.inject({ method: 'GET', url: '/openapi.json' })],
      [
        '201 with a key',
        await t.app.inject({
          method: 'POST',
          url: '/apikeys',
          headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
          payload: JSON.stringify({ name: 'headers', scope: 'support' }),
        }),
      ],
      ['401', await t.app.inject({ method: 'GET', url: '/escrows' })],
      ['404', await t.app.inject({ method: 'GET', url: '/nope' })],
      [
        '415',
        await t.app.inject({
          method: 'POST',
          url: '/probe/tallies',
          headers: { 'content-type': 'text/plain' },
          payload: 'x',
        }),
      ],
      ['500', await t.app.inject({ method: 'GET', url: '/probe/boom/plain' })],
      ['400 before routing', await t.app.inject({ method: 'GET', url: '/probe/items/%E0%A4%A' })],
      [
        '204 preflight',
        await t.app.inject({
          method: 'OPTIONS',
          url: '/escrows',
          headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
        }),
      ],
      [
        '403 preflight',
        await t.app.inject({
          method: 'OPTIONS',
          url: '/escrows',
          headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'GET' },
        }),
      ],
      ['docs page', await t.app.inject({ method: 'GET', url: '/docs' })],
      ['docs init script', await t.app.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' })],
    ];
    expect(answers.map(([what, r]) => [what, r.statusCode])).toEqual([
      ['200 JSON', 200],
      ['metrics', 200],
      ['openapi', 200],
      ['201 with a key', 201],
      ['401', 401],
      ['404', 404],
      ['415', 415],
      ['500', 500],
      ['400 before routing', 400],
      ['204 preflight', 204],
      ['403 preflight', 403],
      ['docs page', 200],
      ['docs init script', 200],
    ]);
    for (const [what, res] of answers) {
      expectBaseline(res, what);
      expect({ what, cache: res.headers['cache-control'] }).toEqual({ what, cache: 'no-store' });
      expect({ what, hsts: res.headers['strict-transport-security'] }).toEqual({
        what,
        hsts: undefined,
      });
    }
    expect(answers[3]![1].json().key).toMatch(/^koba_/);
  });

  it('give JSON answers a policy that allows nothing', async () => {
    const policy = csp(await t.app.inject({ method: 'GET', url: '/health' }));
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
  });

  it("carry helmet's other headers on API answers, routed or not, and on the Swagger UI", async () => {
    for (const url of ['/health', '/no-such-route', '/docs', '/docs/swagger-ui.css']) {
      const h = (await t.app.inject({ method: 'GET', url })).headers;
      expect({
        url,
        poweredBy: h['x-powered-by'],
        opener: h['cross-origin-opener-policy'],
        resource: h['cross-origin-resource-policy'],
        agentCluster: h['origin-agent-cluster'],
        dnsPrefetch: h['x-dns-prefetch-control'],
        download: h['x-download-options'],
        crossDomain: h['x-permitted-cross-domain-policies'],
        xss: h['x-xss-protection'],
      }).toEqual({
        url,
        poweredBy: undefined,
        opener: 'same-origin',
        resource: 'same-origin',
        agentCluster: '?1',
        dnsPrefetch: 'off',
        download: 'noopen',
        crossDomain: 'none',
        xss: '0',
      });
    }
    const notFound = await t.app.inject({ method: 'GET', url: '/no-such-route' });
    expect(notFound.statusCode).toBe(404);
    expect(csp(notFound)['default-src']).toEqual(["'none'"]);
  });

  it('let the Swagger UI load its own scripts, styles and images, and nothing from elsewhere', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const policy = csp(page);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy['img-src']).toEqual(["'self'", 'data:']);
    // Every script and stylesheet the page names is served here, under that policy.
    const assets = [...page.body.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css|png))"/g)].map(
      (m) => m[1]!,
    );
    expect(assets).toEqual(
      expect.arrayContaining([
        'docs/swagger-ui-bundle.js',
        'docs/swagger-ui.css',
        'docs/swagger-ui-init.js',
      ]),
    );
    expect(page.body).not.toMatch(/<script>(?!\s*<\/script>)/); // no inline script (script-src 'self')
    for (const asset of assets) {
      const res = await t.app.inject({ method: 'GET', url: `/${asset}` });
      expect({ asset, status: res.statusCode }).toEqual({ asset, status: 200 });
      expectBaseline(res, asset);
      expect(csp(res)['script-src']).toEqual(["'self'"]);
    }
  });

  describe('HSTS', () => {
    const hsts = (headers: Record<string, string>, remoteAddress?: string) =>
      t.app.inject({
        method: 'GET',
        url: '/health',
        headers,
        ...(remoteAddress ? { remoteAddress } : {}),
      });

    it('is sent when a trusted proxy says the request came over TLS, on errors too', async () => {
      const res = await hsts({ 'x-forwarded-proto': 'https' }, PROXY);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const error = await t.app.inject({
        method: 'GET',
        url: '/nope',
        headers: { 'x-forwarded-proto': 'https' },
        remoteAddress: PROXY,
      });
      expect(error.statusCode).toBe(404);
      expect(error.headers['strict-transport-security']).toBe(
        'max-age=31536000; includeSubDomains',
      );
    });

    it('is not sent on plain http, from the proxy or not', async () => {
      expect((await hsts({}, PROXY)).headers['strict-transport-security']).toBeUndefined();
      expect(
        (await hsts({ 'x-forwarded-proto': 'http' }, PROXY)).headers['strict-transport-security'],
      ).toBeUndefined();
      expect((await hsts({})).headers['strict-transport-security']).toBeUndefined();
    });

    it('is not sent because a client that is not a trusted proxy claims https', async () => {
      expect(
        (await hsts({ 'x-forwarded-proto': 'https' })).headers['strict-transport-security'],
      ).toBeUndefined();
      expect(
        (await hsts({ 'x-forwarded-proto': 'https' }, '10.1.2.4')).headers[
          'strict-transport-security'
        ],
      ).toBeUndefined();
    });
  });
});

describe('HSTS without TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('believes no X-Forwarded-Proto at all', async () => {
    for (const remoteAddress of ['127.0.0.1', PROXY]) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/health',
        headers: { 'x-forwarded-proto': 'https' },
        remoteAddress,
      });
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
