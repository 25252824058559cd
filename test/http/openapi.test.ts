/**
 * The API describes itself: GET /openapi.json is an OpenAPI 3 document with an operation for
 * every route the app registered (and none it did not), and GET /docs serves the Swagger UI
 * with all the assets its page refers to. The probe routes take part, so the check covers
 * controllers mounted from outside the app module the same way.
 */
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';

type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { securitySchemes?: Record<string, unknown> };
};

/**
 * Routes that are the documentation itself, not API operations: the JSON document does not list
 * itself, and /docs is the Swagger UI with its static assets.
 */
function isDocumentation(url: string): boolean {
  return url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');
}

/** Fastify's `/escrows/:id/deposit` is OpenAPI's `/escrows/{id}/deposit`. */
function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

describe('OpenAPI', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = JSON.parse(res.body) as OpenApiDocument;
  });
  afterAll(() => t.close());

  const apiRoutes = () =>
    t.routes.filter(
      (r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !isDocumentation(r.url),
    );

  it('is an OpenAPI 3 document with paths and both key schemes', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(
      expect.arrayContaining(['bearer', 'X-API-Key']),
    );
    // Bearer tokens are API keys: the document must not tell clients to send a JWT.
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(JSON.stringify(doc.components?.securitySchemes)).not.toContain('JWT');
  });

  it('has an operation for every registered route', () => {
    const routes = apiRoutes();
    // The probe routes are registered too, so the check is not vacuous for mounted controllers.
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: '/health' },
        { method: 'GET', url: '/metrics' },
        { method: 'POST', url: '/probe/tallies' },
        { method: 'POST', url: '/probe/tallies/:id/add' },
        { method: 'GET', url: '/probe/items' },
      ]),
    );
    const missing = routes
      .map((r) => `${r.method} ${toOpenApiPath(r.url)}`)
      .filter((route) => {
        const [method, path] = route.split(' ') as [string, string];
        return doc.paths[path]?.[method.toLowerCase()] === undefined;
      });
    expect(missing).toEqual([]);
  });

  it('has no operation for a route that is not registered', () => {
    const registered = new Set(apiRoutes().map((r) => `${r.method} ${toOpenApiPath(r.url)}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.filter((op) => !registered.has(op))).toEqual([]);
  });

  it('describes path parameters and request bodies', () => {
    const add = doc.paths['/probe/tallies/{id}/add']?.post as {
      parameters?: { name: string; in: string }[];
      requestBody?: { content: Record<string, unknown> };
    };
    expect(add.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path' })]),
    );
    expect(Object.keys(add.requestBody?.content ?? {})).toEqual(['application/json']);
  });

  it('serves the Swagger UI at /docs, with every asset its page refers to', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui');
    const refs = [...res.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const url = new URL(ref, 'http://api.test/docs').pathname;
      const asset = await t.app.inject({ method: 'GET', url });
      expect({ ref, status: asset.statusCode }).toEqual({ ref, status: 200 });
    }
  });
});
