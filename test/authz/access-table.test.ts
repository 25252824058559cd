/**
 * The parser of the API-RULES.md §1 access table, on the real shared file (the routes and roles
 * the authorization matrix relies on, each shorthand of the table) and on small made-up tables
 * (notation it must refuse rather than guess, a missing file, rows that contradict each other).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type AccessEntry,
  API_RULES_PATH,
  describeEntry,
  findEntry,
  loadAccessTable,
  overrideEntries,
  parseAccessTable,
} from '../support/access-table';

/** API-RULES.md §1 alone (the frontend's table is checked on its own below). */
const entries = loadAccessTable(API_RULES_PATH, null);

function entry(method: string, pathPattern: string): AccessEntry {
  const found = entries.find((e) => e.method === method && e.pathPattern === pathPattern);
  if (!found) throw new Error(`${method} ${pathPattern} is not in the parsed table`);
  return found;
}

/** A §1 section holding one table with the given rows under the real header. */
function table(...rows: string[]): string {
  return [
    '# rules',
    '## 1. Access',
    '',
    '| route | sender | support | auditor | admin |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## 2. Next',
  ].join('\n');
}

describe('the access table of the shared API-RULES.md', () => {
  it('is read from ../shared/docs beside the repository when present, else the snapshot', () => {
    const shared = path.resolve(__dirname, '..', '..', '..', 'shared', 'docs', 'API-RULES.md');
    const snapshot = path.resolve(__dirname, '..', '..', 'docs', 'contract', 'API-RULES.md');
    expect(API_RULES_PATH).toBe(existsSync(shared) ? shared : snapshot);
    expect(entries.length).toBeGreaterThan(50);
    for (const e of entries) {
      expect(e.method).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/);
      expect(e.pathPattern).toMatch(/^(\/[A-Za-z0-9_.{}-]+)+$/);
    }
  });

  it('GET /users/{id}: own for sender, allowed for support, auditor and admin', () => {
    expect(entry('GET', '/users/{id}')).toMatchObject({
      auth: 'key',
      prefix: false,
      roles: { sender: 'conditional', support: 'allowed', auditor: 'allowed', admin: 'allowed' },
      qualifiers: { sender: 'own' },
    });
  });

  it('"own `GET /users/{id}` only" and "GET only" deny the rest of the row', () => {
    expect(entry('POST', '/users').roles).toEqual({
      sender: 'denied',
      support: 'allowed',
      auditor: 'denied',
      admin: 'allowed',
    });
    expect(entry('GET', '/users').roles).toEqual({
      sender: 'denied',
      support: 'allowed',
      auditor: 'allowed',
      admin: 'allowed',
    });
  });

  it('POST/GET/DELETE /apikeys… is three methods on /apikeys and everything below it', () => {
    const apikeys = entries.filter((e) => e.pathPattern === '/apikeys');
    expect(apikeys.map((e) => [e.method, e.prefix])).toEqual([
      ['POST', true],
      ['GET', true],
      ['DELETE', true],
    ]);
    expect(entry('DELETE', '/apikeys').roles).toEqual({
      sender: 'denied',
      support: 'denied',
      auditor: 'denied',
      admin: 'allowed',
    });
    expect(entry('GET', '/apikeys').roles.auditor).toBe('allowed');
    expect(entry('PATCH', '/users/{id}').roles).toEqual(entry('POST', '/apikeys').roles);
  });

  it('GET /audit/streams/{id} is for auditor and admin only', () => {
    expect(entry('GET', '/audit/streams/{id}').roles).toEqual({
      sender: 'denied',
      support: 'denied',
      auditor: 'allowed',
      admin: 'allowed',
    });
    expect(entry('GET', '/audit/events').roles.support).toBe('allowed');
  });

  it('…/summary continues the last full path, with its method', () => {
    for (const sub of ['summary', 'milestones', 'payments', 'payees', 'ledger']) {
      expect(entry('GET', `/escrows/{id}/${sub}`)).toMatchObject({
        roles: { sender: 'conditional', support: 'allowed', auditor: 'allowed', admin: 'allowed' },
        qualifiers: { sender: 'party' },
      });
    }
    expect(entry('GET', '/escrows/milestones/{id}').qualifiers.sender).toBe('party');
    expect(entry('GET', '/payments/{id}').qualifiers.sender).toBe('party');
  });

  it('a bare `client-approve` replaces the last segment; a bare `/path` keeps the method', () => {
    for (const action of ['deposit', 'client-approve', 'client-reject']) {
      expect(entry('POST', `/escrows/{id}/${action}`)).toMatchObject({
        roles: { sender: 'conditional', support: 'denied', auditor: 'denied', admin: 'allowed' },
        qualifiers: { sender: 'client' },
      });
    }
    for (const p of ['/spend/categories', '/spend/merchants', '/spend/allow', '/spend/allowed']) {
      expect(entry('POST', p).roles).toEqual({
        sender: 'denied',
        support: 'allowed',
        auditor: 'denied',
        admin: 'allowed',
      });
    }
  });

  it('a bare method cell ("GET") allows that method only', () => {
    expect(entry('POST', '/spend/purchases').roles).toMatchObject({
      support: 'denied',
      auditor: 'denied',
    });
    expect(entry('GET', '/spend/purchases').roles).toMatchObject({
      support: 'allowed',
      auditor: 'allowed',
    });
  });

  it('remarks in parentheses are not routes; longer qualifiers are kept as written', () => {
    expect(entry('POST', '/escrows').roles.sender).toBe('allowed');
    expect(entries.some((e) => /client_id|sender_id/.test(e.pathPattern))).toBe(false);
    expect(entry('GET', '/proofs/files/{id}').qualifiers.sender).toBe(
      'uploader; parties once attached to a proof',
    );
    expect(entry('POST', '/escrows/{id}/mark-delivered').qualifiers.sender).toBe('provider');
  });

  it('health, metrics and the docs need no key; the PSP webhook is signed instead', () => {
    for (const p of ['/health', '/metrics', '/openapi.json', '/docs']) {
      expect(entry('GET', p).auth).toBe('public');
    }
    expect(entry('POST', '/psp/webhook').auth).toBe('hmac');
    expect(entries.filter((e) => e.auth !== 'key').map(describeEntry)).toEqual([
      'GET /health',
      'GET /metrics',
      'GET /openapi.json',
      'GET /docs',
      'POST /psp/webhook',
    ]);
  });
});

describe("the frontend's table (docs/contract/FRONTEND-ACCESS.md) over API-RULES.md", () => {
  const merged = loadAccessTable();

  it('adds its routes, the login public and the rest behind a key', () => {
    expect(findEntry(merged, 'POST', '/auth/login')).toMatchObject({ auth: 'public' });
    expect(findEntry(entries, 'POST', '/auth/login')).toBeUndefined();
    expect(findEntry(merged, 'GET', '/admin/payments')?.roles).toEqual({
      sender: 'denied',
      support: 'allowed',
      auditor: 'allowed',
      admin: 'allowed',
    });
    expect(findEntry(merged, 'GET', '/sender/dashboard')?.qualifiers.sender).toBe('own');
  });

  it('replaces the row of API-RULES.md for the same route: the client may mark delivered', () => {
    const rows = merged.filter(
      (e) => e.method === 'POST' && e.pathPattern === '/escrows/{id}/mark-delivered',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.qualifiers.sender).toBe('party');
    expect(entry('POST', '/escrows/{id}/mark-delivered').qualifiers.sender).toBe('provider');
    expect(merged.length).toBe(entries.length + 7);
  });

  it('overrideEntries keeps the base order and appends the overrides', () => {
    const base = parseAccessTable(table('| `GET /a`, `GET /b` | ✓ | ✓ | ✓ | ✓ |'));
    const over = parseAccessTable(table('| `GET /a` | – | ✓ | ✓ | ✓ |'));
    expect(overrideEntries(base, over).map((e) => [describeEntry(e), e.roles.sender])).toEqual([
      ['GET /b', 'allowed'],
      ['GET /a', 'denied'],
    ]);
  });
});

describe('findEntry: a registered route (Fastify syntax) to its row', () => {
  it('matches `:param` of any name to `{param}`, and literals to literals only', () => {
    expect(findEntry(entries, 'GET', '/users/:userId')).toBe(entry('GET', '/users/{id}'));
    expect(findEntry(entries, 'GET', '/escrows/milestones/:id')).toBe(
      entry('GET', '/escrows/milestones/{id}'),
    );
    expect(findEntry(entries, 'GET', '/users/me')).toBeUndefined();
    expect(findEntry(entries, 'PUT', '/users/:id')).toBeUndefined();
    expect(findEntry(entries, 'GET', '/users/:id/keys')).toBeUndefined();
  });

  it('an entry written with … covers its path and the paths below it', () => {
    expect(findEntry(entries, 'GET', '/apikeys')).toBe(entry('GET', '/apikeys'));
    expect(findEntry(entries, 'DELETE', '/apikeys/:id')).toBe(entry('DELETE', '/apikeys'));
    expect(findEntry(entries, 'GET', '/transactions/:id')).toBe(entry('GET', '/transactions'));
    expect(findEntry(entries, 'PATCH', '/apikeys/:id')).toBeUndefined();
  });

  it('prefers an exact row to a … row; two equal rows are a contradiction', () => {
    const parsed = parseAccessTable(
      table('| `GET /a…` | – | ✓ | – | ✓ |', '| `GET /a/{id}` | ✓ | ✓ | ✓ | ✓ |'),
    );
    expect(findEntry(parsed, 'GET', '/a/:id')?.roles.sender).toBe('allowed');
    expect(findEntry(parsed, 'GET', '/a/:id/b')?.roles.sender).toBe('denied');
    const twice = [
      ...parseAccessTable(table('| `GET /a/{id}` | ✓ | ✓ | ✓ | ✓ |')),
      ...parseAccessTable(table('| `GET /a/{other}` | – | – | – | ✓ |')),
    ];
    expect(() => findEntry(twice, 'GET', '/a/:id')).toThrow(/several table rows \(lines 6, 6\)/);
  });
});

describe('parseAccessTable refuses what it cannot read', () => {
  it('a missing API-RULES.md is named, with where it is looked for', () => {
    expect(() => loadAccessTable('/nonexistent/shared/docs/API-RULES.md')).toThrow(
      /API-RULES\.md not found at \/nonexistent\/shared\/docs\/API-RULES\.md.*shared\//,
    );
  });

  it('no section 1 or no table', () => {
    expect(() => parseAccessTable('# rules\n## 2. Other\n')).toThrow(/no "## 1\." section/);
    expect(() => parseAccessTable('## 1. Access\n\nno table here\n')).toThrow(/no access table/);
  });

  /** Parsing a table made of these rows, as a thunk for `toThrow`. */
  const parsing =
    (...rows: string[]) =>
    () =>
      parseAccessTable(table(...rows));
  const ALL = '| ✓ | ✓ | ✓ | ✓ |';

  it('a route cell that is not `METHOD /path` items, naming the line', () => {
    expect(parsing(`| GET /a ${ALL}`)).toThrow(/line 6/);
    expect(parsing(`| \`GET /a\` and \`GET /b\` ${ALL}`)).toThrow(/line 6: cannot read the routes/);
    expect(parsing(`| \`/a\` ${ALL}`)).toThrow(/names no method/);
    expect(parsing(`| \`FETCH /a\` ${ALL}`)).toThrow(/line 6/);
  });

  it('a role cell naming a route outside its row; a route listed twice; a short row', () => {
    expect(parsing('| `GET /a`, `GET /b` | own `GET /c` only | ✓ | ✓ | ✓ |')).toThrow(
      /sender cell names GET \/c, which is not in its row/,
    );
    expect(parsing(`| \`GET /a\` ${ALL}`, '| `GET /a` | – | – | – | ✓ |')).toThrow(
      /GET \/a is in the table twice \(lines 6 and 7\)/,
    );
    expect(parsing(`| \`GET /a/{id}\`, \`GET /a/{other}\` ${ALL}`)).toThrow(
      /GET \/a\/\{other\} is in the table twice \(lines 6 and 6\)/,
    );
    expect(parsing('| `GET /a` | ✓ | ✓ | ✓ |')).toThrow(/4 cells/);
  });

  it('reads a made-up row with every notation the same way as the real table', () => {
    const parsed = parseAccessTable(
      table(
        '| `PUT/DELETE /x/{id}`, `…/y`, `/x/{id}/a`, `b`, `/w` (remark `code`) ' +
          '| own `DELETE /x/{id}/b` only | PUT only | | ✓ |',
      ),
    );
    expect(parsed.map((e) => [describeEntry(e), e.roles.sender, e.roles.support])).toEqual([
      ['PUT /x/{id}', 'denied', 'allowed'],
      ['DELETE /x/{id}', 'denied', 'denied'],
      ['PUT /x/{id}/y', 'denied', 'allowed'],
      ['DELETE /x/{id}/y', 'denied', 'denied'],
      ['PUT /x/{id}/a', 'denied', 'allowed'],
      ['DELETE /x/{id}/a', 'denied', 'denied'],
      ['PUT /x/{id}/b', 'denied', 'allowed'],
      ['DELETE /x/{id}/b', 'conditional', 'denied'],
      ['PUT /w', 'denied', 'allowed'],
      ['DELETE /w', 'denied', 'denied'],
    ]);
    expect(parsed.every((e) => e.roles.auditor === 'denied' && e.roles.admin === 'allowed')).toBe(
      true,
    );
    expect(parsed[7]!.qualifiers).toEqual({ sender: 'own' });
  });
});
