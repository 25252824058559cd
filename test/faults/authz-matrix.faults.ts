/**
 * Authorization matrix (issue 12): every route the app registered × every kind of caller, each
 * cell's expected answer written once in `TABLE` below. Unlike the scope-level matrix of the main
 * suite (test/authz), the requests are valid and name real objects (support/fault-world.ts), so
 * the party and ownership rules are reached: the same sender key is the escrow's client on
 * side 1 and its provider on side 2 ("client" and "provider" columns), and a sender who is party
 * to nothing asks for side 1's objects ("unrelated"). Outside escrows, "client" is the sender on
 * what it initiated (its user, the mandate it gave) and "provider" on what it receives (the
 * mandate it benefits from). Keys that must get nowhere: none, a well-formed key nobody issued,
 * a revoked key, an expired key (the API issues keys with `days_valid`; the expired one is issued
 * by the same code with an expiry already past), and the key of a deactivated user.
 *
 * A registered route without a row fails; a row without a route fails; each row is checked
 * against API-RULES.md §1 (test/support/access-table.ts): a scope the rules deny must be 403
 * INSUFFICIENT_SCOPE in the table and a scope they allow must not be. A refused cell must also
 * leave the events table as it was (one alert at most). Every cell counts as one input.
 */
import type { Response } from 'light-my-request';
import { type Role, ROLES, findEntry, loadAccessTable } from '../support/access-table';
import { type World, buildWorld } from './support/fault-world';
import { type WireRequest, applyMutation } from './support/fuzz-cases';
import { describeRequest } from './support/fuzz-runner';
import { type Operation, operationsOf } from './support/openapi-operations';
import { StoreWatch, onlyAnAlert } from './support/store-watch';
import { type FaultCounts, emptyCounts, reportCounts } from './support/tally';
import { recipeFor } from './support/valid-requests';

const CALLERS = [
  'no key',
  'bad key',
  'revoked key',
  'expired key',
  'deactivated user',
  'unrelated',
  'support',
  'auditor',
  'client',
  'provider',
  // Last: its requests change the most (closing, revoking), after everyone else was refused.
  'admin',
] as const;
type Caller = (typeof CALLERS)[number];
type KeyedCaller = 'client' | 'provider' | 'unrelated' | 'support' | 'auditor' | 'admin';

/**
 * `ok`: 2xx. `pass`: past authorization (not 401/403, not 5xx) where the object's state decides
 * the rest (a second decision on one proof, a second mandate in one slot). `own`: 200 with only
 * the caller's own items (and, for the subject as client or provider, at least one).
 * `[status, code]`: that refusal in the error envelope.
 */
type Cell = 'ok' | 'pass' | 'own' | readonly [number, string];
type Auth = 'key' | 'public' | 'hmac';
interface Row {
  auth: Auth;
  cells: Record<KeyedCaller, Cell>;
  /** What the callers without a usable key get; null: `KEYLESS` (a key route's 401s). */
  keyless: Cell | null;
}

const SCOPE = [403, 'INSUFFICIENT_SCOPE'] as const;
const NOT_PARTY = [403, 'NOT_ESCROW_PARTY'] as const;
const NOT_CLIENT = [403, 'NOT_ESCROW_CLIENT'] as const;
const NOT_PROVIDER = [403, 'NOT_ESCROW_PROVIDER'] as const;
const NOT_OWNER = [403, 'NOT_OWNER'] as const;
const NOT_UPLOADER = [403, 'NOT_FILE_UPLOADER'] as const;
const WEBHOOK_UNSIGNED = [401, 'WEBHOOK_SIGNATURE_MISSING'] as const;

/** Cells in the order client, provider, unrelated, support, auditor, admin. */
const key = (client: Cell, provider: Cell, unrelated: Cell, support: Cell, auditor: Cell, admin: Cell): Row => ({
  auth: 'key',
  cells: { client, provider, unrelated, support, auditor, admin },
  keyless: null,
});
/** A route every caller gets the same answer from, whatever key it sends. */
const same = (auth: Auth, cell: Cell): Row => ({
  auth,
  cells: { client: cell, provider: cell, unrelated: cell, support: cell, auditor: cell, admin: cell },
  keyless: cell,
});
const open = same('public', 'ok');
/** The callers without a usable key: what every key route answers them. */
const KEYLESS: Record<Exclude<Caller, KeyedCaller>, Cell> = {
  'no key': [401, 'NO_API_KEY'],
  'bad key': [401, 'UNAUTHORIZED'],
  'revoked key': [401, 'UNAUTHORIZED'],
  'expired key': [401, 'UNAUTHORIZED'],
  'deactivated user': [401, 'UNAUTHORIZED'],
};

/** The table: one row per registered route (Fastify's spelling), API-RULES.md §1 cell by cell. */
const TABLE: Record<string, Row> = {
  'GET /health': open,
  'GET /metrics': open,
  'GET /openapi.json': open,
  'GET /docs': open,
  'GET /docs/': open,
  'GET /docs/index.html': open,
  // @nestjs/swagger registers it only to refuse it (it does not serve swagger-ui's licence).
  'GET /docs/LICENSE': same('public', [404, 'ROUTE_NOT_FOUND']),
  'GET /docs/swagger-ui-init.js': open,
  'GET /docs/docs/swagger-ui-init.js': open,
  'GET /docs/*': open,
  'OPTIONS *': open,
  // The webhook is signed, never keyed: unsigned, no key of any kind gets it accepted.
  'POST /psp/webhook': same('hmac', WEBHOOK_UNSIGNED),
  //                                          client      provider    unrelated   support auditor admin
  'POST /users': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'GET /users': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'GET /users/:id': key('ok', 'ok', NOT_OWNER, 'ok', 'ok', 'ok'),
  'PATCH /users/:id': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'POST /apikeys': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'GET /apikeys': key(SCOPE, SCOPE, SCOPE, SCOPE, 'ok', 'ok'),
  'GET /apikeys/:id': key(SCOPE, SCOPE, SCOPE, SCOPE, 'ok', 'ok'),
  'DELETE /apikeys/:id': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'GET /audit/events': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'GET /audit/streams/:streamId': key(SCOPE, SCOPE, SCOPE, SCOPE, 'ok', 'ok'),
  // client_id must be the sender's own user: on side 2 it is the partner's.
  'POST /escrows': key('ok', NOT_OWNER, NOT_OWNER, SCOPE, SCOPE, 'ok'),
  'GET /escrows': key('own', 'own', 'own', 'ok', 'ok', 'ok'),
  'GET /escrows/:id': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/summary': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/milestones': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/payments': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/payees': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/ledger': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/milestones/:milestoneId': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /payments/:id': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'POST /escrows/:id/deposit': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/client-approve': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/client-reject': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/milestones': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/milestones/:milestoneId/release': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/mark-delivered': key(NOT_PROVIDER, 'ok', NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/check-deadline': key('ok', 'ok', NOT_PARTY, 'ok', SCOPE, 'ok'),
  'POST /payments/execute/:id': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'POST /payments/:id/retry': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'GET /ledger/accounts/:account': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'GET /ledger/trial-balance': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'POST /proofs/files': key('ok', 'ok', 'ok', 'ok', SCOPE, 'ok'),
  // Side 1's file: uploaded by the partner, attached to a proof of the subject's escrow.
  // Side 2's: uploaded by the subject itself.
  'GET /proofs/files/:id': key('ok', 'ok', NOT_UPLOADER, 'ok', 'ok', 'ok'),
  'POST /proofs': key(NOT_PROVIDER, 'ok', NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'GET /proofs': key('own', 'own', 'own', 'ok', 'ok', 'ok'),
  'GET /proofs/:id': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  // The client decides first; support and admin then meet a proof already decided.
  'POST /proofs/:id/decision': key('ok', NOT_CLIENT, NOT_PARTY, 'pass', SCOPE, 'pass'),
  // sender_id must be the sender's own user; admin then meets the slot the client took.
  'POST /mandates': key('ok', NOT_OWNER, NOT_OWNER, SCOPE, SCOPE, 'pass'),
  'GET /mandates': key('own', 'own', 'own', 'ok', 'ok', 'ok'),
  'POST /mandates/cleanup': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'GET /mandates/:id': key('ok', 'ok', NOT_OWNER, 'ok', 'ok', 'ok'),
  'POST /spend/categories': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'GET /spend/categories': key('ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
  'POST /spend/merchants': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'GET /spend/merchants': key('ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
  // Support allows first; admin then allows what is already allowed.
  'POST /spend/allow': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'pass'),
  'POST /spend/allowed': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  // The mandate's sender (side 1) or beneficiary (side 2).
  'POST /spend/purchases': key('ok', 'ok', NOT_OWNER, SCOPE, SCOPE, 'ok'),
  'GET /spend/purchases': key('own', 'own', 'own', 'ok', 'ok', 'ok'),
  'POST /spend': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /allowlist': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'GET /allowlist': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'DELETE /allowlist': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'POST /certified': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'GET /certified/:userId': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'POST /transactions': key(SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, 'ok'),
  'GET /transactions': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'GET /transactions/:id': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'GET /alerts': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
};

/** An escrow's parties, as admin reads them (a proof names only its escrow). */
type Parties = (escrowId: string) => Promise<{ client_id: string; provider_id: string }>;

/** Which items of a list are the caller's own (the `own` cells). */
const OWN_ITEM: Record<string, (item: Record<string, any>, userId: string, parties: Parties) => Promise<boolean>> = {
  'GET /escrows': async (e, u) => e.client_id === u || e.provider_id === u,
  'GET /proofs': async (p, u, parties) => {
    const e = await parties(String(p.escrow_id));
    return e.client_id === u || e.provider_id === u;
  },
  'GET /mandates': async (m, u) => m.sender_id === u || m.beneficiary_id === u,
  'GET /spend/purchases': async (p, u) => p.sender_id === u || p.beneficiary_id === u,
};

const CORS_ORIGIN = 'https://app.example';

function expected(row: Row, caller: Caller): Cell {
  if (caller in row.cells) return row.cells[caller as KeyedCaller];
  return row.keyless ?? KEYLESS[caller as keyof typeof KEYLESS];
}

function keyOf(w: World, caller: Caller): string | null {
  const keys: Record<Caller, string | null> = {
    'no key': null,
    'bad key': w.unknownKey,
    'revoked key': w.revokedKey,
    'expired key': w.expiredKey,
    'deactivated user': w.deactivatedKey,
    client: w.subject.key,
    provider: w.subject.key,
    unrelated: w.unrelated.key,
    support: w.support,
    auditor: w.auditor,
    admin: w.admin,
  };
  return keys[caller];
}

/** The user whose own items an `own` cell expects. */
const userOf = (w: World, caller: Caller) => (caller === 'unrelated' ? w.unrelated.id : w.subject.id);

const toOpenApi = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Requests for the routes that are not API operations (documentation, CORS preflight). */
function documentationRequest(route: string, apiKey: string | null): WireRequest {
  const [method, url] = route.split(' ') as [string, string];
  const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {};
  if (method === 'OPTIONS') {
    return { method, url: '/escrows', headers: { ...headers, origin: CORS_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' } };
  }
  return { method, url: url === '/docs/*' ? '/docs/swagger-ui.css' : url, headers };
}

interface Outcome {
  route: string;
  caller: Caller;
  cell: Cell;
  status: number;
  problem: string | null;
  /** The answer had no X-Request-Id (API-RULES.md §6: every answer carries one). */
  noRequestId: string | null;
}

function errorCode(res: Response): string | undefined {
  try {
    return (res.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

interface Owner {
  userId: string;
  /** The subject as client or provider: its own list must not be empty. */
  needsItems: boolean;
  parties: Parties;
}

/** What is wrong with an answer for a cell, or null. */
async function judge(route: string, cell: Cell, res: Response, owner: Owner): Promise<string | null> {
  const status = res.statusCode;
  const got = `got ${status} ${errorCode(res) ?? ''} ${res.body.slice(0, 300)}`;
  if (status >= 500) return `a 5xx: ${got}`;
  if (Array.isArray(cell)) {
    const [want, code] = cell;
    const json = /^application\/json/.test(String(res.headers['content-type']));
    return status === want && errorCode(res) === code && json ? null : `expected ${want} ${code}, ${got}`;
  }
  if (cell === 'pass') return status === 401 || status === 403 ? `expected to pass authorization, ${got}` : null;
  if (status < 200 || status > 299) return `expected 2xx, ${got}`;
  if (cell === 'own') {
    const items = (res.json() as { items?: Record<string, unknown>[] }).items ?? [];
    const foreign: Record<string, unknown>[] = [];
    for (const item of items) if (!(await OWN_ITEM[route]!(item, owner.userId, owner.parties))) foreign.push(item);
    if (foreign.length) return `shows ${foreign.length} item(s) of others: ${JSON.stringify(foreign[0]).slice(0, 200)}`;
    if (owner.needsItems && items.length === 0) return 'expected at least one own item, got none';
  }
  return null;
}

describe('authorization matrix: every registered route × every kind of caller', () => {
  let w: World;
  let operations: Map<string, Operation>;
  let watch: StoreWatch;
  const outcomes: Outcome[] = [];
  const counts: FaultCounts = emptyCounts();
  const started = Date.now();
  let n = 0;

  async function send(route: string, caller: Caller): Promise<{ res: Response; wire: WireRequest }> {
    const apiKey = keyOf(w, caller);
    const [method, url] = route.split(' ') as [string, string];
    const op = operations.get(`${method} ${toOpenApi(url)}`);
    let wire: WireRequest;
    if (!op) wire = documentationRequest(route, apiKey);
    else {
      const recipe = recipeFor(op.key);
      const side = caller === 'provider' ? w.side2 : w.side1;
      const i = n++;
      const mutation = op.key === 'POST /psp/webhook' ? ({ kind: 'signature', variant: 'none' } as const) : ({ kind: 'valid' } as const);
      wire = applyMutation(op, recipe, recipe.build(w, side, i), mutation, {
        key: apiKey,
        requestId: `authz-${i}`,
        idempotencyKey: `authz-${i}`,
        bodyLimitBytes: w.api.t.platform.config.httpBodyLimitBytes,
      }).wire;
    }
    const res = await w.api.t.app.inject({ method: wire.method as 'GET', url: wire.url, headers: wire.headers, payload: wire.payload });
    counts.requests++;
    counts.inputs++;
    if (res.statusCode >= 500) counts.serverErrors++;
    return { res, wire };
  }

  const escrows = new Map<string, { client_id: string; provider_id: string }>();
  const parties: Parties = async (id) => {
    if (!escrows.has(id)) escrows.set(id, (await w.api.call('GET', `/escrows/${id}`, w.admin)).json());
    return escrows.get(id)!;
  };

  beforeAll(async () => {
    w = await buildWorld({ claims: 4, closeable: 12, env: { CORS_ALLOW_ORIGINS: CORS_ORIGIN } });
    const doc = await w.api.t.app.inject({ method: 'GET', url: '/openapi.json' });
    operations = new Map(operationsOf(doc.json()).map((op) => [op.key, op]));
    watch = new StoreWatch(w.api.t.platform);
    await watch.start();
    const routes = registered(w);
    for (const route of routes.filter((r) => TABLE[r])) {
      for (const caller of CALLERS) {
        const cell = expected(TABLE[route]!, caller);
        const { res, wire } = await send(route, caller);
        const owner = { userId: userOf(w, caller), needsItems: caller === 'client' || caller === 'provider', parties };
        let problem = await judge(route, cell, res, owner);
        const events = await watch.newEvents();
        if (!problem && (res.statusCode === 401 || res.statusCode === 403) && !onlyAnAlert(events)) {
          problem = `refused, yet appended ${events.map((e) => e.type).join(', ')}`;
        }
        const repro = describeRequest(wire, caller);
        const noRequestId = res.headers['x-request-id'] ? null : `${route} as ${caller}: answered ${res.statusCode} without X-Request-Id — ${repro}`;
        outcomes.push({ route, caller, cell, status: res.statusCode, problem: problem && `${problem} — ${repro}`, noRequestId });
      }
    }
    counts.haltedProjectors = (await watch.haltedNow()).length;
    const byClass = (lo: number, hi: number) => outcomes.filter((o) => o.status >= lo && o.status <= hi).length;
    const [ok, s401, s403] = [byClass(200, 299), byClass(401, 401), byClass(403, 403)];
    process.stdout.write(
      `authorization matrix: ${routes.length} routes × ${CALLERS.length} callers = ${outcomes.length} cells ` +
        `(2xx ${ok}, 401 ${s401}, 403 ${s403}, other ${outcomes.length - ok - s401 - s403}), ` +
        `${outcomes.filter((o) => o.problem).length} wrong, ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  });

  afterAll(async () => {
    reportCounts('authz-matrix', counts);
    await w?.api.close();
  });

  it('has a row for every registered route, and a registered route for every row', () => {
    const routes = registered(w);
    expect(routes.filter((r) => !TABLE[r])).toEqual([]);
    expect(Object.keys(TABLE).filter((r) => !routes.includes(r))).toEqual([]);
    expect(routes.length).toBeGreaterThan(60);
  });

  it('agrees with API-RULES.md §1 on which scopes may call each route', () => {
    const rules = loadAccessTable();
    const problems: string[] = [];
    for (const [route, row] of Object.entries(TABLE)) {
      const [method, url] = route.split(' ') as [string, string];
      if (row.auth === 'public' && (url.startsWith('/docs') || url === '/openapi.json' || method === 'OPTIONS')) continue;
      const entry = findEntry(rules, method, url);
      if (!entry) {
        problems.push(`${route}: not in API-RULES.md §1`);
        continue;
      }
      if (entry.auth !== row.auth) problems.push(`${route}: the rules say ${entry.auth}, the table ${row.auth}`);
      if (row.auth !== 'key') continue;
      for (const role of ROLES) problems.push(...scopeDisagreements(route, row, role, entry.roles[role]));
    }
    expect(problems).toEqual([]);
  });

  it('answers every cell as the table says', () => {
    expect(outcomes.length).toBe(registered(w).length * CALLERS.length);
    expect(outcomes.filter((o) => o.problem).map((o) => `${o.route} as ${o.caller}: ${o.problem}`)).toEqual([]);
  });

  it('answers every cell with X-Request-Id', () => {
    expect(outcomes.flatMap((o) => (o.noRequestId ? [o.noRequestId] : []))).toEqual([]);
  });

  it('halts no projector', async () => {
    expect(await watch.haltedNow()).toEqual([]);
  });
});

/** Every route the app registered (HEAD aside: Fastify adds one per GET). */
function registered(w: World): string[] {
  return [...new Set(w.api.t.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`))];
}

function scopeDisagreements(route: string, row: Row, role: Role, access: 'allowed' | 'denied' | 'conditional'): string[] {
  const columns: KeyedCaller[] = role === 'sender' ? ['client', 'provider', 'unrelated'] : [role];
  return columns.flatMap((c) => {
    const cell = row.cells[c];
    const scopeDenied = Array.isArray(cell) && cell[1] === 'INSUFFICIENT_SCOPE';
    if (access === 'denied' && !scopeDenied) return [`${route} as ${c}: the rules deny ${role}, the table says ${JSON.stringify(cell)}`];
    if (access !== 'denied' && scopeDenied) return [`${route} as ${c}: the rules allow ${role} (${access}), the table says 403 INSUFFICIENT_SCOPE`];
    return [];
  });
}
