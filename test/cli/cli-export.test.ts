/**
 * `kobatela export` as a process against a real database: the audit trail between two position
 * tokens as JSON Lines or CSV, each entry exactly what `GET /audit/events` shows for it (the
 * audit_log rows, read back and shaped by the same `auditEntry`), over several pages of `$all`,
 * with progress and a summary on stderr, never on stdout.
 */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore, encodePosition } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { limits } from '@kob/kernel';
import { auditEntry } from '@kob/platform';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile, runChild } from '../support/child';

const CLI = 'apps/cli/src/main.js';
/** More events than one page of `$all` holds, so the export turns pages. */
const BULK_EVENTS = limits.readAllBatchMax + 1500;
let tdb: TestDatabase;
let env: Record<string, string>;
const probe = `probe-${randomUUID()}`;
const positions: string[] = [];

beforeAll(async () => {
  tdb = await testDatabase();
  env = { DATABASE_URL: tdb.serviceUrl, DATABASE_OWNER_URL: tdb.ownerUrl, APP_ENV: 'test' };
  const store = new PostgresEventStore(tdb.pool);
  const personal = [
    ev('probe.noted.v1', { email: 'alice@mail.example', note: 'a, "quoted"\nline' }),
    ev('probe.noted.v1', { iban: 'FR76 3000 6000 0112 3456 7890 189', amount: '12.50' }),
    ev('probe.noted.v1', { psp_ref: 'SIM-12345678' }),
  ];
  for (const [i, e] of personal.entries()) {
    const r = await store.appendToStream(probe, [e], {
      expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1),
    });
    positions.push(encodePosition(r.position));
  }
  const bulk = `bulk-${randomUUID()}`;
  for (let done = 0; done < BULK_EVENTS; done += limits.appendEventsPerCallMax) {
    const n = Math.min(limits.appendEventsPerCallMax, BULK_EVENTS - done);
    const events = Array.from({ length: n }, (_, i) => ev('bulk.counted.v1', { n: done + i }));
    await store.appendToStream(bulk, events, { expectedRevision: 'any' });
  }
});
afterAll(() => tdb.close());

function cli(args: string[]) {
  return runChild(distFile(CLI), env, 120_000, args);
}

/** The audit trail as `GET /audit/events` answers it: audit_log rows through `auditEntry`. */
async function auditTrail() {
  const rows = await tdb.pool.query(
    `SELECT position_tx::text AS tx, position_pos::text AS pos, event_id, stream_id,
            revision::text AS revision, type, actor, actor_label, occurred_at, correlation_id, data
     FROM audit_log ORDER BY position_tx, position_pos`,
  );
  return rows.rows.map(auditEntry);
}

describe('kobatela export', () => {
  it('writes the masked trail as JSON Lines, exactly as the audit route shows it', async () => {
    const r = await cli(['export', '--from', 'start', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(BULK_EVENTS + 3);
    expect(lines[0]).toMatchObject({
      position: positions[0],
      stream_id: probe,
      revision: '0',
      actor_label: 'system:test',
      data: { email: '***@mail.example' },
    });
    expect(lines[1].data.iban).toBe('***0189');
    expect(r.stderr).toContain(`exported ${BULK_EVENTS + 3} events (jsonl)`);
    expect(r.stderr).toMatch(/export: \d+\/\d+ events \(\d+\/s/);
    // The audit_log projector fills the table the route reads; every entry must match it.
    expect((await cli(['rebuild', 'audit_log'])).code).toBe(0);
    expect(lines).toEqual(await auditTrail());
  });

  it('takes the events after --from up to and including --to', async () => {
    const r = await cli([
      'export',
      '--from',
      positions[0]!,
      '--to',
      positions[1]!,
      '--format',
      'jsonl',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.position)).toEqual([positions[1]]);
  });

  it('writes CSV with a header and quoted cells, and a JSON summary with --json', async () => {
    const r = await cli([
      'export',
      '--from',
      'start',
      '--to',
      positions[2]!,
      '--format',
      'csv',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const [header, first] = r.stdout.split('\r\n');
    expect(header).toBe(
      'position,event_id,stream_id,revision,type,actor_label,actor,occurred_at,correlation_id,data',
    );
    expect(first).toMatch(new RegExp(`^${positions[0]},`));
    expect(first).toContain('""email"":""***@mail.example""');
    expect(first).toContain('""note"":""a, \\""quoted\\""\\nline""');
    expect(r.stdout.split('\r\n')).toHaveLength(5);
    const stderr = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(stderr[stderr.length - 1]).toMatchObject({
      exported: 3,
      format: 'csv',
      to: positions[2],
    });
    expect(stderr[0]).toMatchObject({ progress: 'export', unit: 'events' });
  });

  it('exits 2 without --from, with a malformed position or an unknown format', async () => {
    for (const args of [
      ['export', '--format', 'jsonl'],
      ['export', '--from', 'p1.nope', '--format', 'jsonl'],
      ['export', '--from', 'start', '--format', 'xml'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('export --from');
    }
  });
});
