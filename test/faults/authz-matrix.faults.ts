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
import { type Role, ROLES, findEntry, loadAccessTable } from '../support/access-table';
import {
  CALLERS,
  CORS_ORIGIN,
  type Caller,
  type Cell,
  type KeyedCaller,
  type KeylessCaller,
  type OwnItem,
  type Outcome,
  type Parties,
  runCell,
} from './support/authz-cells';
import { type World, buildWorld } from './support/fault-world';
import { type Operation, operationsOf } from './support/openapi-operations';
import { StoreWatch } from './support/store-watch';
import { type FaultCounts, emptyCounts, reportCounts } from './support/tally';

type Auth = 'key' | 'public' | 'hmac';
interface Row {
  auth: Auth;
  cells: Record<KeyedCaller, Cell>;
  /** What the callers without a usable key get; null: `KEYLESS` (a key route's 401s). */
  keyless: Cell | null;
}
const KEYED: readonly KeyedCaller[] = [
  'client',
  'provider',
  'unrelated',
  'support',
  'auditor',
  'admin',
];

const SCOPE = [403, 'INSUFFICIENT_SCOPE'] as const;
const NOT_PARTY = [403, 'NOT_ESCROW_PARTY'] as const;
const NOT_CLIENT = [403, 'NOT_ESCROW_CLIENT'] as const;
const NOT_PROVIDER = [403, 'NOT_ESCROW_PROVIDER'] as const;
const NOT_OWNER = [403, 'NOT_OWNER'] as const;
const NO_USER = [403, 'KEY_HAS_NO_USER'] as const;
const NOT_UPLOADER = [403, 'NOT_FILE_UPLOADER'] as const;
const WEBHOOK_UNSIGNED = [401, 'WEBHOOK_SIGNATURE_MISSING'] as const;

/** A key route's row; cells in the order client, provider, unrelated, support, auditor, admin. */
const key = (...cells: [Cell, Cell, Cell, Cell, Cell, Cell]): Row => {
  const [client, provider, unrelated, support, auditor, admin] = cells;
  const row = { client, provider, unrelated, support, auditor, admin };
  return { auth: 'key', cells: row, keyless: null };
};
/** A route every caller gets the same answer from, whatever key it sends. */
const same = (auth: Auth, cell: Cell): Row => ({
  auth,
  cells: Object.fromEntries(KEYED.map((c) => [c, cell])) as Record<KeyedCaller, Cell>,
  keyless: cell,
});
const open = same('public', 'ok');
/** The callers without a usable key: what every key route answers them. */
const KEYLESS: Record<KeylessCaller, Cell> = {
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
  // Email login: public, whatever key is sent (FRONTEND-CONTRACT A1).
  'POST /auth/login': open,
  // Key routes: client, provider, unrelated, support, auditor, admin.
  'GET /auth/me': key('ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
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
  // The web frontend's lists of the caller's own escrows: a key needs a user (admin's has none).
  'GET /sender/dashboard': key('ok', 'ok', 'ok', SCOPE, SCOPE, NO_USER),
  'GET /provider/inbox/escrows': key('ok', 'ok', 'ok', SCOPE, SCOPE, NO_USER),
  'GET /escrows/:id': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/summary': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/milestones': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/payments': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/payees': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/:id/ledger': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /escrows/milestones/:milestoneId': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /payments/:id': key('ok', 'ok', NOT_PARTY, 'ok', 'ok', 'ok'),
  'GET /admin/payments': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'POST /escrows/:id/deposit': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/client-approve': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/client-reject': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/:id/milestones': key('ok', NOT_CLIENT, NOT_PARTY, SCOPE, SCOPE, 'ok'),
  'POST /escrows/milestones/:milestoneId/release': key(
    'ok',
    NOT_CLIENT,
    NOT_PARTY,
    SCOPE,
    SCOPE,
    'ok',
  ),
  // Either party (FRONTEND-CONTRACT.md A3); the provider may meet an escrow the client delivered.
  'POST /escrows/:id/mark-delivered': key('pass', 'pass', NOT_PARTY, SCOPE, SCOPE, 'pass'),
  'POST /escrows/:id/check-deadline': key('ok', 'ok', NOT_PARTY, 'ok', SCOPE, 'ok'),
  'POST /payments/execute/:id': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'POST /payments/:id/retry': key(SCOPE, SCOPE, SCOPE, 'ok', SCOPE, 'ok'),
  'GET /ledger/accounts/:account': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'GET /ledger/trial-balance': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
  'POST /proofs/files': key('ok', 'ok', 'ok', 'ok', SCOPE, 'ok'),
  // Bound to the side's escrow: a sender who is party to nothing of it may not (A7).
  'POST /files/proofs': key('ok', 'ok', NOT_PARTY, 'ok', SCOPE, 'ok'),
  'GET /admin/proofs/review-queue': key(SCOPE, SCOPE, SCOPE, 'ok', 'ok', 'ok'),
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

/** Which items of a list are the caller's own (the `own` cells). */
const OWN_ITEM: Record<string, OwnItem> = {
  'GET /escrows': async (e, u) => e.client_id === u || e.provider_id === u,
  'GET /proofs': async (p, u, parties) => {
    const e = await parties(String(p.escrow_id));
    return e.client_id === u || e.provider_id === u;
  },
  'GET /mandates': async (m, u) => m.sender_id === u || m.beneficiary_id === u,
  'GET /spend/purchases': async (p, u) => p.sender_id === u || p.beneficiary_id === u,
};

function expected(row: Row, caller: Caller): Cell {
  if (caller in row.cells) return row.cells[caller as KeyedCaller];
  return row.keyless ?? KEYLESS[caller as KeylessCaller];
}

/** Every route the app registered (HEAD aside: Fastify adds one per GET). */
function registered(w: World): string[] {
  const routes = w.api.t.routes.filter((r) => r.method !== 'HEAD');
  return [...new Set(routes.map((r) => `${r.method} ${r.url}`))];
}

/** Where the table and API-RULES.md §1 disagree on whether a scope may call the route. */
function scopeDisagreements(route: string, row: Row, role: Role, access: string): string[] {
  const columns: KeyedCaller[] = role === 'sender' ? ['client', 'provider', 'unrelated'] : [role];
  return columns.flatMap((c) => {
    const cell = row.cells[c];
    const scopeDenied = Array.isArray(cell) && cell[1] === 'INSUFFICIENT_SCOPE';
    const says = `${route} as ${c}: the rules say ${role} is ${access}, the table`;
    if (access === 'denied' && !scopeDenied) return [`${says} ${JSON.stringify(cell)}`];
    if (access !== 'denied' && scopeDenied) return [`${says} 403 INSUFFICIENT_SCOPE`];
    return [];
  });
}

/** Routes §1 does not list: the documentation and the CORS preflight (no key, no rule). */
const outsideRules = (route: string) =>
  route.startsWith('OPTIONS ') || route.startsWith('GET /docs') || route === 'GET /openapi.json';

describe('authorization matrix: every registered route × every kind of caller', () => {
  let w: World;
  let watch: StoreWatch;
  const outcomes: Outcome[] = [];
  const counts: FaultCounts = emptyCounts();
  const started = Date.now();
  const escrows = new Map<string, { client_id: string; provider_id: string }>();
  const parties: Parties = async (id) => {
    if (!escrows.has(id)) {
      escrows.set(id, (await w.api.call('GET', `/escrows/${id}`, w.admin)).json());
    }
    return escrows.get(id)!;
  };

  beforeAll(async () => {
    w = await buildWorld({ claims: 4, closeable: 12, env: { CORS_ALLOW_ORIGINS: CORS_ORIGIN } });
    const doc = await w.api.t.app.inject({ method: 'GET', url: '/openapi.json' });
    const ops = new Map<string, Operation>(operationsOf(doc.json()).map((op) => [op.key, op]));
    watch = new StoreWatch(w.api.t.platform);
    await watch.start();
    const ctx = { w, ops, watch, parties };
    for (const route of registered(w).filter((r) => TABLE[r])) {
      for (const caller of CALLERS) {
        const cell = expected(TABLE[route]!, caller);
        outcomes.push(await runCell(ctx, route, caller, cell, outcomes.length, OWN_ITEM[route]));
      }
    }
    counts.requests = counts.inputs = outcomes.length;
    counts.serverErrors = outcomes.filter((o) => o.status >= 500).length;
    counts.haltedProjectors = (await watch.haltedNow()).length;
    printReport(outcomes, Date.now() - started);
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
      if (outsideRules(route)) continue;
      const [method, url] = route.split(' ') as [string, string];
      const entry = findEntry(rules, method, url);
      if (!entry) {
        problems.push(`${route}: not in API-RULES.md §1`);
        continue;
      }
      if (entry.auth !== row.auth) {
        problems.push(`${route}: the rules say ${entry.auth}, not ${row.auth}`);
      }
      if (row.auth !== 'key') continue;
      for (const role of ROLES) {
        problems.push(...scopeDisagreements(route, row, role, entry.roles[role]));
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers every cell as the table says', () => {
    expect(outcomes.length).toBe(registered(w).length * CALLERS.length);
    const wrong = outcomes.filter((o) => o.problem);
    expect(wrong.map((o) => `${o.route} as ${o.caller}: ${o.problem}`)).toEqual([]);
  });

  it('answers every cell with X-Request-Id', () => {
    expect(outcomes.flatMap((o) => (o.noRequestId ? [o.noRequestId] : []))).toEqual([]);
  });

  it('halts no projector', async () => {
    expect(await watch.haltedNow()).toEqual([]);
  });
});

function printReport(outcomes: Outcome[], elapsedMs: number): void {
  const count = (test: (status: number) => boolean) =>
    outcomes.filter((o) => test(o.status)).length;
  const ok = count((s) => s >= 200 && s < 300);
  const [s401, s403] = [count((s) => s === 401), count((s) => s === 403)];
  const routes = new Set(outcomes.map((o) => o.route)).size;
  process.stdout.write(
    `authorization matrix: ${routes} routes × ${CALLERS.length} callers = ${outcomes.length} ` +
      `cells (2xx ${ok}, 401 ${s401}, 403 ${s403}, other ${outcomes.length - ok - s401 - s403}), ` +
      `${outcomes.filter((o) => o.problem).length} wrong, ${Math.round(elapsedMs / 1000)} s\n`,
  );
}
