/**
 * The mechanics of the authorization matrix (authz-matrix.faults.ts holds its table): the
 * callers and the key each one presents, the request a cell sends (the operation's valid request
 * from valid-requests.ts, on the side the caller is party to; documentation routes and the CORS
 * preflight by hand), and the verdict on its answer: `ok` a 2xx, `pass` anything but 401/403,
 * `own` a 200 list holding only the caller's own items, `[status, code]` that refusal in the
 * error envelope. A refused cell must also leave the events table as it was (one alert at most).
 */
import type { Response } from 'light-my-request';
import type { World } from './fault-world';
import type { Mutation } from './fuzz-mutations';
import { type WireRequest, applyMutation } from './fuzz-requests';
import { describeRequest } from './fuzz-runner';
import type { Operation } from './openapi-operations';
import { type StoreWatch, onlyAnAlert } from './store-watch';
import { recipeFor } from './valid-requests';

export const CALLERS = [
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
export type Caller = (typeof CALLERS)[number];
export type KeyedCaller = 'client' | 'provider' | 'unrelated' | 'support' | 'auditor' | 'admin';
export type KeylessCaller = Exclude<Caller, KeyedCaller>;

export type Cell = 'ok' | 'pass' | 'own' | readonly [number, string];

/** An escrow's parties, as admin reads them (a proof names only its escrow). */
export type Parties = (escrowId: string) => Promise<{ client_id: string; provider_id: string }>;
export type OwnItem = (
  item: Record<string, any>,
  userId: string,
  parties: Parties,
) => Promise<boolean>;

export interface Outcome {
  route: string;
  caller: Caller;
  status: number;
  /** What is wrong with the answer for its cell, with a reproduction; null when right. */
  problem: string | null;
  /** The answer had no X-Request-Id (API-RULES.md §6: every answer carries one). */
  noRequestId: string | null;
}

export const CORS_ORIGIN = 'https://app.example';
const WEBHOOK = 'POST /psp/webhook';

export function keyOf(w: World, caller: Caller): string | null {
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

const toOpenApi = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Requests for the routes that are not API operations (documentation, CORS preflight). */
function documentationRequest(route: string, apiKey: string | null): WireRequest {
  const [method, url] = route.split(' ') as [string, string];
  const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {};
  if (method !== 'OPTIONS') {
    return { method, url: url === '/docs/*' ? '/docs/swagger-ui.css' : url, headers };
  }
  const preflight = {
    origin: CORS_ORIGIN,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type,x-api-key',
  };
  return { method, url: '/escrows', headers: { ...headers, ...preflight } };
}

/**
 * The request of one cell: the operation's valid request on side 2 for the subject as provider,
 * side 1 for everyone else; the webhook unsigned (no key may stand in for its signature).
 */
export function cellRequest(
  w: World,
  ops: Map<string, Operation>,
  route: string,
  caller: Caller,
  n: number,
): WireRequest {
  const apiKey = keyOf(w, caller);
  const [method, url] = route.split(' ') as [string, string];
  const op = ops.get(`${method} ${toOpenApi(url)}`);
  if (!op) return documentationRequest(route, apiKey);
  const recipe = recipeFor(op.key);
  const side = caller === 'provider' ? w.side2 : w.side1;
  const mutation: Mutation =
    op.key === WEBHOOK ? { kind: 'signature', variant: 'none' } : { kind: 'valid' };
  return applyMutation(op, recipe, recipe.build(w, side, n), mutation, {
    key: apiKey,
    requestId: `authz-${n}`,
    idempotencyKey: `authz-${n}`,
    bodyLimitBytes: w.api.t.platform.config.httpBodyLimitBytes,
  }).wire;
}

function errorCode(res: Response): string | undefined {
  try {
    return (res.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export interface Owner {
  userId: string;
  /** The subject as client or provider: its own list must not be empty. */
  needsItems: boolean;
  parties: Parties;
  ownItem: OwnItem | undefined;
}

/** What is wrong with an answer for a cell, or null. */
async function verdict(cell: Cell, res: Response, owner: Owner): Promise<string | null> {
  const status = res.statusCode;
  const got = `got ${status} ${errorCode(res) ?? ''} ${res.body.slice(0, 300)}`;
  if (status >= 500) return `a 5xx: ${got}`;
  if (Array.isArray(cell)) {
    const [want, code] = cell;
    const json = /^application\/json/.test(String(res.headers['content-type']));
    const right = status === want && errorCode(res) === code && json;
    return right ? null : `expected ${want} ${code}, ${got}`;
  }
  if (cell === 'pass') {
    return status === 401 || status === 403 ? `expected to pass authorization, ${got}` : null;
  }
  if (status < 200 || status > 299) return `expected 2xx, ${got}`;
  if (cell !== 'own') return null;
  const items = (res.json() as { items?: Record<string, unknown>[] }).items ?? [];
  const foreign: Record<string, unknown>[] = [];
  for (const item of items) {
    if (!(await owner.ownItem!(item, owner.userId, owner.parties))) foreign.push(item);
  }
  if (foreign.length) {
    return `shows ${foreign.length} item(s) of others: ${JSON.stringify(foreign[0]).slice(0, 200)}`;
  }
  return owner.needsItems && items.length === 0 ? 'expected at least one own item, got none' : null;
}

export interface CellContext {
  w: World;
  ops: Map<string, Operation>;
  watch: StoreWatch;
  parties: Parties;
}

/** Sends one cell's request and judges its answer. */
export async function runCell(
  ctx: CellContext,
  route: string,
  caller: Caller,
  cell: Cell,
  n: number,
  ownItem: OwnItem | undefined,
): Promise<Outcome> {
  const wire = cellRequest(ctx.w, ctx.ops, route, caller, n);
  const { method, url, headers, payload } = wire;
  const res = await ctx.w.api.t.app.inject({ method: method as 'GET', url, headers, payload });
  const owner: Owner = {
    userId: caller === 'unrelated' ? ctx.w.unrelated.id : ctx.w.subject.id,
    needsItems: caller === 'client' || caller === 'provider',
    parties: ctx.parties,
    ownItem,
  };
  let problem = await verdict(cell, res, owner);
  const events = await ctx.watch.newEvents();
  const refused = res.statusCode === 401 || res.statusCode === 403;
  if (!problem && refused && !onlyAnAlert(events)) {
    problem = `refused, yet appended ${events.map((e) => e.type).join(', ')}`;
  }
  const repro = describeRequest(wire, caller);
  const noRequestId = res.headers['x-request-id']
    ? null
    : `${route} as ${caller}: answered ${res.statusCode} without X-Request-Id — ${repro}`;
  const shown = problem && `${problem} — ${repro}`;
  return { route, caller, status: res.statusCode, problem: shown, noRequestId };
}
