/**
 * The access table of API-RULES.md §1, read from `../shared/docs/API-RULES.md` beside the clone
 * and turned into one entry per route: method, path pattern (`{param}` segments), whether a key
 * is needed at all, and for each key scope whether the route is allowed, denied or conditional
 * (allowed by scope, then narrowed by an ownership or party rule). The authorization matrix test
 * is generated from these entries, so a new row in the table is all a later route needs.
 *
 * The table's shorthand is understood, and anything else is refused with the row's line number
 * rather than guessed at: several routes per cell separated by commas; `POST/GET/DELETE /x…`
 * (several methods, `…` = the path and everything below it); `…/summary` (continues the last
 * full path of the cell); a bare `client-approve` or `/spend/merchants` (same methods as the
 * route before it; a bare word replaces the last segment of the last full path); parenthesised
 * remarks (`(no key needed)`, `(HMAC instead of a key)`, "(`client_id` = own user)"); and role
 * cells `✓`, `–`/empty, `GET only`/`GET` (that method allowed, the others denied),
 * "own `GET /users/{id}` only" (that route conditional, the others denied), or any other
 * qualifier (`party`, `client`, `own`…: conditional).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROLES = ['sender', 'support', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type Access = 'allowed' | 'denied' | 'conditional';
/** `key`: an API key and a scope check; `public`: no key needed; `hmac`: signed, never a key. */
export type Auth = 'key' | 'public' | 'hmac';

export interface AccessEntry {
  method: string;
  /** `/users/{id}`; with `prefix`, the path and every path below it. */
  pathPattern: string;
  prefix: boolean;
  auth: Auth;
  roles: Record<Role, Access>;
  /** The table's words for each conditional role (`own`, `party`, `client`…). */
  qualifiers: Partial<Record<Role, string>>;
  /** 1-based line of the row in API-RULES.md, for messages. */
  line: number;
}

/**
 * The contract lives in ../shared/docs (beside every clone, CI's included). A snapshot is kept in
 * docs/contract/ for a clone that has no shared/ beside it; the live file wins when present.
 */
const SHARED_API_RULES = path.resolve(__dirname, '../../../shared/docs/API-RULES.md');
const SNAPSHOT_API_RULES = path.resolve(__dirname, '../../docs/contract/API-RULES.md');
export const API_RULES_PATH = existsSync(SHARED_API_RULES) ? SHARED_API_RULES : SNAPSHOT_API_RULES;

const SECTION_HEADING = /^##\s+1\.\s/;
const ROUTE_HEADER = 'route';
const METHODS = /^(GET|POST|PUT|PATCH|DELETE)(\/(GET|POST|PUT|PATCH|DELETE))*$/;
const ELLIPSIS = /(…|\.\.\.)$/;
const DENIED_CELLS = new Set(['', '–', '-', '—']);
const ALLOWED_CELL = '✓';
/** A table never has this many rows; a bound on the line scan. */
const TABLE_ROWS_MAX = 500;

export class AccessTableError extends Error {}

/**
 * The access rules of the frontend's routes (FRONTEND-CONTRACT.md wins over API-RULES.md for
 * them), kept in the repository in the notation of API-RULES.md §1.
 */
export const FRONTEND_ACCESS_PATH = path.resolve(
  __dirname,
  '../../docs/contract/FRONTEND-ACCESS.md',
);

/**
 * Reads and parses the §1 table of the shared API-RULES.md (fails clearly when it is absent),
 * then the frontend's table, whose rows replace API-RULES.md's for the same method and path.
 */
export function loadAccessTable(
  file: string = API_RULES_PATH,
  overrides: string | null = FRONTEND_ACCESS_PATH,
): AccessEntry[] {
  if (!existsSync(file)) {
    throw new AccessTableError(
      `API-RULES.md not found at ${file}: the authorization test reads the access table from ` +
        '../shared/docs/API-RULES.md beside the repository (CI runs with a copy of shared/ there)',
    );
  }
  const base = parseAccessTable(readFileSync(file, 'utf8'));
  if (overrides === null) return base;
  return overrideEntries(base, parseAccessTable(readFileSync(overrides, 'utf8')));
}

/** `base` with each entry of `overrides` replacing the one for the same method and path. */
export function overrideEntries(base: AccessEntry[], overrides: AccessEntry[]): AccessEntry[] {
  const key = (e: AccessEntry) => describeEntry(e);
  const replaced = new Set(overrides.map(key));
  return [...base.filter((e) => !replaced.has(key(e))), ...overrides];
}

/** Parses the markdown of API-RULES.md: the first table of section 1. */
export function parseAccessTable(markdown: string): AccessEntry[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => SECTION_HEADING.test(l));
  if (start < 0) throw new AccessTableError('API-RULES.md has no "## 1." section');
  const rows: { cells: string[]; line: number }[] = [];
  for (let i = start + 1; i < lines.length && i < start + TABLE_ROWS_MAX; i++) {
    const text = lines[i]!.trim();
    if (/^##\s/.test(text)) break;
    if (text.startsWith('|')) rows.push({ cells: splitRow(text), line: i + 1 });
    else if (rows.length > 0) break;
  }
  if (rows.length < 3) throw new AccessTableError('API-RULES.md §1 has no access table');
  const header = rows[0]!.cells.map((c) => c.toLowerCase());
  if (header[0] !== ROUTE_HEADER) {
    throw new AccessTableError(`§1 table: first column is "${header[0]}", expected "route"`);
  }
  const roleColumns = ROLES.map((role) => {
    const index = header.indexOf(role);
    if (index < 0) throw new AccessTableError(`§1 table has no "${role}" column`);
    return index;
  });
  if (!rows[1]!.cells.every((c) => /^:?-+:?$/.test(c))) {
    throw new AccessTableError(`line ${rows[1]!.line}: expected the table's separator row`);
  }
  const entries = rows.slice(2).flatMap(({ cells, line }) => {
    if (cells.length !== header.length) {
      throw new AccessTableError(
        `line ${line}: ${cells.length} cells, the header has ${header.length}`,
      );
    }
    const roleCells = roleColumns.map((index) => cells[index]!);
    return parseRow(cells[0]!, roleCells, line);
  });
  assertNoDuplicates(entries);
  return entries;
}

/** Splits `| a | b |` into trimmed cells; a `|` inside backticks belongs to the cell. */
function splitRow(text: string): string[] {
  const cells: string[] = [];
  let current = '';
  let inCode = false;
  for (const ch of text.slice(1)) {
    if (ch === '`') inCode = !inCode;
    if (ch === '|' && !inCode) {
      cells.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') cells.push(current.trim());
  return cells;
}

interface RouteSpec {
  method: string;
  pathPattern: string;
  prefix: boolean;
}

function parseRow(routeCell: string, roleCells: string[], line: number): AccessEntry[] {
  const { text, remarks } = removeRemarks(routeCell, line);
  const specs = parseRouteList(text, line);
  const auth: Auth = remarks.some((r) => /no key needed/i.test(r))
    ? 'public'
    : remarks.some((r) => /HMAC instead of a key/i.test(r))
      ? 'hmac'
      : 'key';
  const perRole = ROLES.map((role, i) => roleRule(roleCells[i]!, specs, line, role));
  return specs.map((spec) => {
    const roles = {} as Record<Role, Access>;
    const qualifiers: Partial<Record<Role, string>> = {};
    ROLES.forEach((role, i) => {
      const { access, qualifier } = perRole[i]!(spec);
      roles[role] = access;
      if (qualifier !== undefined) qualifiers[role] = qualifier;
    });
    return { ...spec, auth, roles, qualifiers, line };
  });
}

/** Takes parenthesised remarks out of a route cell (they may hold code spans of their own). */
function removeRemarks(cell: string, line: number): { text: string; remarks: string[] } {
  let depth = 0;
  let text = '';
  let remark = '';
  const remarks: string[] = [];
  for (const ch of cell) {
    if (ch === '(') depth++;
    if (depth > 0) remark += ch;
    else text += ch;
    if (ch === ')') {
      depth--;
      if (depth < 0) throw new AccessTableError(`line ${line}: unbalanced ")" in "${cell}"`);
      if (depth === 0) {
        remarks.push(remark);
        remark = '';
      }
    }
  }
  if (depth !== 0) throw new AccessTableError(`line ${line}: unbalanced "(" in "${cell}"`);
  return { text, remarks };
}

/** `\`GET /a\`, \`…/b\`, \`c\`` → route specs; only commas may stand between the code spans. */
function parseRouteList(text: string, line: number): RouteSpec[] {
  const spans = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
  const rest = text.replace(/`[^`]+`/g, '').replace(/[\s,]/g, '');
  if (spans.length === 0 || rest !== '') {
    throw new AccessTableError(
      `line ${line}: cannot read the routes of "${text.trim()}" (expected \`METHOD /path\` items ` +
        'separated by commas)',
    );
  }
  const specs: RouteSpec[] = [];
  let methods: string[] | null = null;
  let lastFullPath: string | null = null;
  for (const span of spans) {
    const match = /^(\S+)\s+(\S+)$/.exec(span);
    let written: string;
    if (match && METHODS.test(match[1]!)) {
      methods = match[1]!.split('/');
      written = match[2]!;
    } else if (/^\S+$/.test(span)) {
      if (!methods) throw new AccessTableError(`line ${line}: "${span}" names no method`);
      written = span;
    } else {
      throw new AccessTableError(`line ${line}: cannot read the route "${span}"`);
    }
    const prefix = ELLIPSIS.test(written) && !/^(…|\.\.\.)\//.test(written);
    let pathPattern = prefix ? written.replace(ELLIPSIS, '') : written;
    if (pathPattern.startsWith('/')) {
      lastFullPath = pathPattern;
    } else if (/^(…|\.\.\.)\//.test(pathPattern)) {
      if (!lastFullPath) throw new AccessTableError(`line ${line}: "${span}" continues no path`);
      pathPattern = lastFullPath + pathPattern.replace(/^(…|\.\.\.)/, '');
    } else if (/^[A-Za-z0-9_{}-]+$/.test(pathPattern)) {
      if (!lastFullPath) throw new AccessTableError(`line ${line}: "${span}" continues no path`);
      pathPattern = lastFullPath.replace(/[^/]+$/, pathPattern);
    } else {
      throw new AccessTableError(`line ${line}: cannot read the path of "${span}"`);
    }
    if (!/^(\/[A-Za-z0-9_.{}-]+)+$/.test(pathPattern)) {
      throw new AccessTableError(`line ${line}: "${pathPattern}" is not a path`);
    }
    for (const method of methods!) specs.push({ method, pathPattern, prefix });
  }
  return specs;
}

type RoleRule = (spec: RouteSpec) => { access: Access; qualifier?: string };

/** What one role cell says, as a function of the row's route. */
function roleRule(cell: string, rowSpecs: RouteSpec[], line: number, role: Role): RoleRule {
  const text = cell.trim();
  if (text === ALLOWED_CELL) return () => ({ access: 'allowed' });
  if (DENIED_CELLS.has(text)) return () => ({ access: 'denied' });
  const methodOnly = /^([A-Z/]+)(\s+only)?$/.exec(text);
  if (methodOnly && METHODS.test(methodOnly[1]!)) {
    const methods = methodOnly[1]!.split('/');
    return (spec) => ({ access: methods.includes(spec.method) ? 'allowed' : 'denied' });
  }
  const routesOnly = /^(.*?)\s*((`[^`]+`[\s,]*)+)\s+only$/.exec(text);
  if (routesOnly) {
    const qualifier = routesOnly[1]!.trim();
    const named = parseRouteList(routesOnly[2]!, line);
    for (const n of named) {
      if (!rowSpecs.some((s) => sameRoute(s, n))) {
        throw new AccessTableError(
          `line ${line}: the ${role} cell names ${n.method} ${n.pathPattern}, ` +
            'which is not in its row',
        );
      }
    }
    return (spec) =>
      named.some((n) => sameRoute(n, spec))
        ? qualifier === ''
          ? { access: 'allowed' }
          : { access: 'conditional', qualifier }
        : { access: 'denied' };
  }
  return () => ({ access: 'conditional', qualifier: text });
}

function sameRoute(a: RouteSpec, b: RouteSpec): boolean {
  return a.method === b.method && a.pathPattern === b.pathPattern && a.prefix === b.prefix;
}

function assertNoDuplicates(entries: AccessEntry[]) {
  const seen = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.method} /${routeSegments(e.pathPattern).join('/')}${e.prefix ? '…' : ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const route = describeEntry(e);
      throw new AccessTableError(`${route} is in the table twice (lines ${first} and ${e.line})`);
    }
    seen.set(key, e.line);
  }
}

/**
 * The table entry for a registered route (`GET /users/:id`, Fastify syntax). A `{param}` in the
 * table matches a `:param` (of any name) and nothing else; an entry written with `…` matches its
 * path and every path below it. An exact entry wins over a prefix one; two equally good entries
 * are a contradiction in the table and throw.
 */
export function findEntry(
  entries: AccessEntry[],
  method: string,
  url: string,
): AccessEntry | undefined {
  const segments = routeSegments(url);
  const candidates = entries.filter((e) => {
    if (e.method !== method) return false;
    const pattern = routeSegments(e.pathPattern);
    if (e.prefix ? segments.length < pattern.length : segments.length !== pattern.length) {
      return false;
    }
    return pattern.every((p, i) => p === segments[i]);
  });
  const exact = candidates.filter((e) => !e.prefix);
  const best = exact.length > 0 ? exact : candidates;
  if (best.length > 1) {
    const lines = best.map((e) => e.line).join(', ');
    throw new AccessTableError(`${method} ${url} matches several table rows (lines ${lines})`);
  }
  return best[0];
}

/** Path segments with every parameter (`{id}`, `:id`, `:id(^\\d+)`, `*`) written as `{}`. */
function routeSegments(url: string): string[] {
  return url
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (/^\{[^}]*\}$/.test(s) || s.startsWith(':') || s === '*' ? '{}' : s));
}

/** The table's way of writing an entry: `GET /apikeys…`. */
export function describeEntry(e: AccessEntry): string {
  return `${e.method} ${e.pathPattern}${e.prefix ? '…' : ''}`;
}
