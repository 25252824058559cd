/**
 * `kobatela export --format csv` against spreadsheet formula injection (OWASP "CSV Injection"):
 * hostile text a client sent over HTTP (a correlation id through `X-Request-Id`, notes and
 * references in an escrow's release conditions) and text in events appended through the store
 * (a correlation id and a stream id that open a formula) come out of the CSV with no cell
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return, the guarded cells prefixed with
 * `'`; the CSV parses back (RFC 4180) with the header's column count on every row; JSON Lines
 * keeps every value exactly as sent.
 */
import { ev, testMetadata } from '@kob/event-store/testing';
import { distFile, runChild } from '../support/child';
import { projectionsCaughtUp } from '../support/caught-up';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { storeEnv } from '../support/stored-events';

const CLI = 'apps/cli/src/main.js';
/** A client's request id: `[A-Za-z0-9._:-]` only, so `-` is the formula it can open with. */
const HOSTILE_REQUEST_ID = '-2-3-cmd';
/** Formulas and hidden starts a client may put in free-form data. */
const HOSTILE_DATA = {
  note: '=HYPERLINK("http://evil.example","click")',
  reference: '@SUM(A1:A9)',
  plus: '+1+cmd',
  minus: '-5.00',
  tab: '\t=1+2',
  cr: '\r=1+2',
};
const HOSTILE_CORRELATION = "=cmd|' /C calc'!A0";
const HOSTILE_STREAM = '@probe-formula';
const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];
let api: EscrowApi;
let env: Record<string, string>;
let escrowId: string;

beforeAll(async () => {
  api = await startEscrowApi();
  env = {
    DATABASE_URL: api.t.tdb.serviceUrl,
    ...storeEnv(api.t.platform),
    DATABASE_OWNER_URL: api.t.tdb.ownerUrl,
    APP_ENV: 'test',
  };
  escrowId = await api.escrow({ release_conditions: HOSTILE_DATA });
  const res = await api.call(
    'POST',
    `/escrows/${escrowId}/milestones`,
    api.keys.client,
    { sequence_index: 1, amount: '100.00', currency: 'USD', label: HOSTILE_DATA.note },
    { 'x-request-id': HOSTILE_REQUEST_ID },
  );
  expect(res.statusCode).toBeLessThan(300);
  const store = api.t.platform.store;
  const hostile = {
    ...ev('probe.noted.v1', HOSTILE_DATA),
    metadata: testMetadata({ correlationId: HOSTILE_CORRELATION }),
  };
  await store.appendToStream(HOSTILE_STREAM, [hostile], { expectedRevision: 'no_stream' });
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
}, 60_000);
afterAll(() => api.close());

async function exported(format: 'csv' | 'jsonl') {
  const r = await runChild(distFile(CLI), env, 60_000, [
    'export',
    '--from',
    'start',
    '--format',
    format,
  ]);
  expect(r.code).toBe(0);
  return r.stdout;
}

/** RFC 4180: CRLF-separated records, `"`-quoted fields with `""` for a quote inside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') ((field += '"'), i++);
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      ((row = []), (field = ''), i++);
    } else field += c;
  }
  expect({ quoted, rest: [...row, field].join('') }).toEqual({ quoted: false, rest: '' });
  return rows;
}

describe('kobatela export against formula injection', () => {
  it('neutralises every cell a spreadsheet would evaluate, and the CSV parses back', async () => {
    const [header, ...rows] = parseCsv(await exported('csv'));
    const lines = (await exported('jsonl'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(lines.length);
    for (const row of rows) {
      expect(row).toHaveLength(header!.length);
      for (const cell of row) expect(TRIGGERS).not.toContain(cell[0]);
    }
    const column = (name: string) => header!.indexOf(name);
    const byRequest = rows.filter((r) => r[column('correlation_id')] === `'${HOSTILE_REQUEST_ID}`);
    expect(byRequest.length).toBeGreaterThan(0);
    const probe = rows.find((r) => r[column('stream_id')] === `'${HOSTILE_STREAM}`)!;
    expect(probe[column('correlation_id')]).toBe(`'${HOSTILE_CORRELATION}`);
    // Data stays JSON: its text opens with `{`, and the values inside are the client's own.
    expect(JSON.parse(probe[column('data')]!)).toEqual(HOSTILE_DATA);
    const created = rows.find((r) => r[column('type')] === 'escrow.created.v1')!;
    expect(JSON.parse(created[column('data')]!).releaseConditions).toMatchObject(HOSTILE_DATA);
  });

  it('leaves JSON Lines exactly as the values were sent', async () => {
    const lines = (await exported('jsonl'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.correlation_id === HOSTILE_REQUEST_ID)).toBe(true);
    const probe = lines.find((l) => l.stream_id === HOSTILE_STREAM);
    expect(probe).toMatchObject({ correlation_id: HOSTILE_CORRELATION, data: HOSTILE_DATA });
    const created = lines.find((l) => l.type === 'escrow.created.v1');
    expect(created.data.releaseConditions).toMatchObject(HOSTILE_DATA);
  });
});
