/**
 * The authorization matrix of issue 3, generated from the access table of API-RULES.md §1 and
 * the routes the app registers: every route is called with no key and with a key of each scope
 * (a sender key linked to a user, support and auditor keys without one, the bootstrap admin
 * key), and the answer must be what its row says. No key: 401 NO_API_KEY. Denied: 403
 * INSUFFICIENT_SCOPE naming the scopes that would pass. Allowed: neither 401 nor 403 (a 404 or
 * 422 means the scope check passed). Conditional (`own`, `party`, `client`…): neither 401 nor 403
 * INSUFFICIENT_SCOPE (another 403, such as NOT_OWNER, is the condition at work). Public routes
 * never answer 401/403; the HMAC-signed PSP webhook never asks for a key or a scope. A route
 * missing from the table fails. Later issues add routes and table rows, never this file.
 *
 * Jest names its tests before the app starts, so each route gets its tests from the routes the
 * controllers declare (controller-routes.ts); the app's own route list is then the check: every
 * declared route must be registered, and a route registered some other way is checked in the
 * last test, so no route escapes.
 *
 * Requests carry random UUIDs as path parameters (the created user's id on GETs of a user, so
 * `own` is really exercised) and `{}` as body, so nothing they change is state the test uses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions, Response } from 'light-my-request';
import {
  type AccessEntry,
  type Role,
  ROLES,
  describeEntry,
  findEntry,
  loadAccessTable,
} from '../support/access-table';
import { startTestApp, type TestApp } from '../support/test-app';
import { controllerRoutes } from './controller-routes';

type Caller = 'no key' | Role;
const CALLERS: readonly Caller[] = ['no key', ...ROLES];
/** The 401 codes of key authentication (an HMAC route must never answer with one). */
const KEY_401_CODES = ['NO_API_KEY', 'UNAUTHORIZED', 'LEGACY_KEY_FORBIDDEN'];
const BODY_METHODS = ['POST', 'PATCH', 'PUT'];

interface Route {
  method: string;
  url: string;
}

interface ErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
}

/** The OpenAPI document and the Swagger UI with its assets: public, outside the guard. */
function isDocumentation(url: string): boolean {
  return url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');
}

function isApiRoute(r: Route): boolean {
  return r.method !== 'HEAD' && r.method !== 'OPTIONS' && !isDocumentation(r.url);
}

const routeName = (r: Route) => `${r.method} ${r.url}`;

const table = loadAccessTable();
const declared = controllerRoutes().filter(isApiRoute);

/** The row of a route, or why there is none (a table contradiction is reported, not thrown). */
function lookup(r: Route): { entry: AccessEntry } | { problem: string } {
  try {
    const entry = findEntry(table, r.method, r.url);
    if (entry) return { entry };
    return { problem: `${routeName(r)} is registered but not in API-RULES.md §1` };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/** Scopes that pass the scope check of a row (what a 403 INSUFFICIENT_SCOPE must name). */
function requiredScopes(entry: AccessEntry): Role[] {
  return ROLES.filter((role) => entry.roles[role] !== 'denied');
}

function expectation(entry: AccessEntry, caller: Caller): string {
  if (entry.auth === 'public') return 'no key needed: never 401/403';
  if (entry.auth === 'hmac') return 'HMAC instead of a key: no key or scope check';
  if (caller === 'no key') return '401 NO_API_KEY';
  const access = entry.roles[caller];
  if (access === 'denied') return '403 INSUFFICIENT_SCOPE';
  if (access === 'allowed') return 'allowed: passes the scope check';
  const qualifier = entry.qualifiers[caller];
  return `conditional${qualifier ? ` (${qualifier})` : ''}: passes the scope check`;
}

function errorOf(res: Response): ErrorBody {
  try {
    const body = res.json() as { error?: ErrorBody } | null;
    return body?.error ?? {};
  } catch {
    return {};
  }
}

/** What is wrong with an answer for this row and caller, or null when it is right. */
function verdict(entry: AccessEntry, caller: Caller, res: Response): string | null {
  const status = res.statusCode;
  const error = errorOf(res);
  const got = `got ${status}${error.code ? ` ${error.code}: ${error.message}` : ''}`;
  const wanted = expectation(entry, caller);
  if (status === 500) return `expected ${wanted}, ${got} (a 500 is a bug)`;
  if (entry.auth === 'public') {
    return status === 401 || status === 403 ? `expected ${wanted}, ${got}` : null;
  }
  if (entry.auth === 'hmac') {
    const keyAsked = status === 401 && KEY_401_CODES.includes(error.code ?? '');
    const scopeChecked = status === 403 && error.code === 'INSUFFICIENT_SCOPE';
    return keyAsked || scopeChecked ? `expected ${wanted}, ${got}` : null;
  }
  if (caller === 'no key') {
    return status === 401 && error.code === 'NO_API_KEY' ? null : `expected ${wanted}, ${got}`;
  }
  const access = entry.roles[caller];
  if (access === 'denied') {
    if (status !== 403 || error.code !== 'INSUFFICIENT_SCOPE') return `expected ${wanted}, ${got}`;
    const named = `${error.message ?? ''} ${JSON.stringify(error.details ?? null)}`;
    const missing = requiredScopes(entry).filter((s) => !new RegExp(`\\b${s}\\b`).test(named));
    return missing.length === 0
      ? null
      : `403 INSUFFICIENT_SCOPE must name the scopes required (${missing.join(', ')} missing): ` +
          named;
  }
  const refused =
    status === 401 ||
    (status === 403 && (access === 'allowed' || error.code === 'INSUFFICIENT_SCOPE'));
  return refused ? `expected ${wanted}, ${got}` : null;
}

interface Fixture {
  t: TestApp;
  keys: Record<Role, string>;
  userId: string;
  registered: Route[];
  /** `METHOD /url caller` of every request checked so far. */
  exercised: Set<string>;
}

/** Path parameters: the user's id on a GET of a user, a fresh UUID everywhere else. */
function fillParams(r: Route, userId: string): string {
  const segments = r.url.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':') && segment !== '*') return segment;
      const ofUser = /user/i.test(segment) || segments[i - 1] === 'users';
      return r.method === 'GET' && ofUser ? userId : randomUUID();
    })
    .join('/');
}

async function call(f: Fixture, r: Route, caller: Caller): Promise<Response> {
  const headers: Record<string, string> = {};
  if (caller !== 'no key') headers['x-api-key'] = f.keys[caller];
  const options: InjectOptions = {
    method: r.method as InjectOptions['method'],
    url: fillParams(r, f.userId),
    headers,
  };
  if (BODY_METHODS.includes(r.method)) {
    headers['content-type'] = 'application/json';
    options.payload = '{}';
  }
  return f.t.app.inject(options);
}

/** Calls a route as a caller and returns what is wrong with the answer (null: nothing). */
async function check(f: Fixture, r: Route, caller: Caller): Promise<string | null> {
  const found = lookup(r);
  if ('problem' in found) return found.problem;
  f.exercised.add(`${routeName(r)} ${caller}`);
  const res = await call(f, r, caller);
  const problem = verdict(found.entry, caller, res);
  return problem && `${routeName(r)} as ${caller}: ${problem}`;
}

async function setUp(): Promise<Fixture> {
  const secret = randomBytes(32).toString('base64url');
  const adminKey = `koba_${randomBytes(3).toString('hex')}.${secret}`;
  const t = await startTestApp({
    env: {
      BOOTSTRAP_ADMIN_API_KEY: adminKey,
      // So the webhook reaches its signature check instead of answering 503 (not configured).
      PSP_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
      // So the public login reaches its body check instead of answering 403 (switched off).
      AUTH_EMAIL_LOGIN: 'true',
    },
  });
  const post = async (url: string, body: object) => {
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string; key?: string };
  };
  const tag = randomBytes(4).toString('hex');
  const user = await post('/users', {
    username: `authz-${tag}`,
    email: `authz-${tag}@example.com`,
  });
  const keyFor = async (scope: Role, userId: string | null) => {
    const issued = await post('/apikeys', { name: `authz ${scope}`, scope, user_id: userId });
    if (!issued.key) throw new Error(`POST /apikeys (${scope}) answered no key`);
    return issued.key;
  };
  const keys: Record<Role, string> = {
    sender: await keyFor('sender', user.id),
    support: await keyFor('support', null),
    auditor: await keyFor('auditor', null),
    admin: adminKey,
  };
  const registered = t.routes.filter(isApiRoute);
  return { t, keys, userId: user.id, registered, exercised: new Set() };
}

describe('authorization matrix (API-RULES.md §1 × registered routes)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await setUp();
  });
  afterAll(() => f?.t.close());

  it('every registered route is in the access table', () => {
    const problems = f.registered.flatMap((r) => {
      const found = lookup(r);
      return 'problem' in found ? [found.problem] : [];
    });
    expect(problems).toEqual([]);
  });

  it('every route a controller declares is registered by the app', () => {
    const registered = new Set(f.registered.map(routeName));
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.map(routeName).filter((r) => !registered.has(r))).toEqual([]);
  });

  for (const r of declared) {
    describe(`${routeName(r)} (${r.controller})`, () => {
      const found = lookup(r);
      it('is in the access table of API-RULES.md §1', () => {
        expect('problem' in found ? found.problem : null).toBeNull();
      });
      if ('problem' in found) return;
      for (const caller of CALLERS) {
        const row = describeEntry(found.entry);
        const name = `${caller}: ${expectation(found.entry, caller)} (${row})`;
        it(name, async () => {
          expect(f.registered.map(routeName)).toContain(routeName(r));
          expect(await check(f, r, caller)).toBeNull();
        });
      }
    });
  }

  it('checked every registered route for every caller (outside controllers: here)', async () => {
    const problems: string[] = [];
    for (const r of f.registered) {
      const found = lookup(r);
      if ('problem' in found) {
        problems.push(found.problem);
        continue;
      }
      for (const caller of CALLERS) {
        if (f.exercised.has(`${routeName(r)} ${caller}`)) continue;
        const problem = await check(f, r, caller);
        if (problem) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
    const missing = f.registered.flatMap((r) =>
      CALLERS.filter((c) => !f.exercised.has(`${routeName(r)} ${c}`)).map(
        (c) => `${routeName(r)} as ${c}`,
      ),
    );
    expect(missing).toEqual([]);
    expect(f.registered.length).toBeGreaterThan(0);
    process.stdout.write(
      `authorization matrix: ${f.registered.length} routes × ${CALLERS.length} roles\n`,
    );
  });
});
