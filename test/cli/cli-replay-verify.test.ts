/**
 * The auditor's commands on an escrow as a process against a real database: `replay` folds the
 * stream with the escrow decider (the service's fold) up to a position or a time and lists the
 * events that built the state; `verify --all` checks the ledger's trial balance and compares a
 * sample of escrow streams' read-model rows with a fresh fold, and names the first break when a
 * row is edited behind the projectors' back.
 */
import { escrowDecider, foldEvents } from '@kob/domain';
import { PostgresEventStore, encodePosition } from '@kob/event-store';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile, runChild } from '../support/child';
import { EscrowEventBuilder } from '../support/escrow-event-builder';

const CLI = 'apps/cli/src/main.js';
let tdb: TestDatabase;
let env: Record<string, string>;
let store: PostgresEventStore;
const escrow = new EscrowEventBuilder('USD', 2);
const positions: string[] = [];

beforeAll(async () => {
  tdb = await testDatabase();
  env = { DATABASE_URL: tdb.serviceUrl, DATABASE_OWNER_URL: tdb.ownerUrl, APP_ENV: 'test' };
  store = new PostgresEventStore(tdb.pool);
  const events = [
    escrow.created('100.00'),
    escrow.depositInitiated('100.00'),
    escrow.depositConfirmed('100.00', { heldAfter: '100.00' }),
  ];
  // One append per event: each gets a position of its own to replay up to.
  for (const [i, e] of events.entries()) {
    const r = await store.appendToStream(escrow.streamId, [e], {
      expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1),
    });
    positions.push(encodePosition(r.position));
  }
});
afterAll(() => tdb.close());

function cli(args: string[]) {
  return runChild(distFile(CLI), env, 60_000, args);
}

describe('kobatela replay', () => {
  it('folds the whole stream with the escrow decider and lists who did what when', async () => {
    const r = await cli(['replay', '--stream', escrow.streamId, '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout);
    const recorded = await store.readStream(escrow.streamId);
    expect(answer.state).toEqual(JSON.parse(JSON.stringify(foldEvents(escrowDecider, recorded))));
    expect(answer.state.deposited).toBe('100.00');
    expect(answer.revision).toBe('2');
    expect(answer.position).toBe(positions[2]);
    expect(answer.events.map((e: { type: string }) => e.type)).toEqual([
      'escrow.created.v1',
      'escrow.deposit_initiated.v1',
      'escrow.deposit_confirmed.v1',
    ]);
    expect(answer.events[0]).toMatchObject({
      revision: '0',
      position: positions[0],
      actor: { kind: 'system', name: 'system:test' },
      actor_label: 'system:test',
      occurred_at: '2026-11-27T10:00:00.000Z',
    });
  });

  it('stops at a position token or a time', async () => {
    const atPosition = await cli([
      'replay',
      '--stream',
      escrow.streamId,
      '--as-of',
      positions[1]!,
      '--json',
    ]);
    expect(atPosition.code).toBe(0);
    const partial = JSON.parse(atPosition.stdout);
    expect(partial.events).toHaveLength(2);
    expect(partial.state.deposited).toBe('0.00');
    expect(partial.state.deposits).toHaveLength(1);
    const before = await cli([
      'replay',
      '--stream',
      escrow.streamId,
      '--as-of',
      '2000-01-01T00:00:00Z',
      '--json',
    ]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ events: [], revision: null });
    const later = await cli([
      'replay',
      '--stream',
      escrow.streamId,
      '--as-of',
      '2999-01-01T00:00:00+01:00',
    ]);
    expect(later.code).toBe(0);
    expect(later.stdout).toContain(
      `stream=${escrow.streamId} as_of=2999-01-01T00:00:00+01:00 events=3 revision=2`,
    );
    expect(later.stdout).toMatch(
      /#2 \S+ escrow\.deposit_confirmed\.v1 by system:test position=p1\./,
    );
    expect(later.stdout).toContain('"deposited": "100.00"');
  });

  it('exits 2 on a malformed --as-of and 1 on a stream that does not exist', async () => {
    const bad = await cli(['replay', '--stream', escrow.streamId, '--as-of', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--as-of takes a position token or an ISO-8601 time');
    expect((await cli(['replay'])).code).toBe(2);
    const missing = await cli(['replay', '--stream', 'escrow-nothing-here']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no stream escrow-nothing-here');
  });
});

describe('kobatela verify --all: ledger and read models', () => {
  beforeAll(async () => {
    const rebuilt = await cli(['rebuild', 'all']);
    expect(rebuilt.code).toBe(0);
  });

  it('passes when the ledger balances and the rows agree with the fold', async () => {
    const r = await cli(['verify', '--all']);
    expect(r.stdout).toContain('verified 1 streams, 3 events: all chains valid');
    expect(r.stdout).toMatch(/ledger: 2 accounts in 1 currencies: trial balance holds/);
    expect(r.stdout).toContain('read models: 1 streams compared with a fresh fold, 0 skipped');
    expect(r.code).toBe(0);
    const json = await cli(['verify', '--all', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      first_break: null,
      chains: { streams: 1, events: 3, breaks: [] },
      ledger: { currencies: 1, accounts: 2, breaks: [] },
      read_models: { compared: 1, skipped: 0, breaks: [] },
    });
  });

  it('names the first break: an edited read-model row, then an unbalanced ledger', async () => {
    await tdb.pool.query(`UPDATE escrows SET status = 'RELEASED' WHERE id = $1`, [escrow.escrowId]);
    const row = await cli(['verify', '--all']);
    expect(row.code).toBe(1);
    expect(row.stdout).toContain(
      `first break: BROKEN read_model=${escrow.streamId} revision=2: escrows.status is RELEASED, the fold says DRAFT`,
    );
    const held = `escrow:${escrow.escrowId}:held:USD`;
    await tdb.pool.query(`UPDATE ledger_accounts SET credits = credits + 1 WHERE account = $1`, [
      held,
    ]);
    const ledger = await cli(['verify', '--all', '--json']);
    expect(ledger.code).toBe(1);
    const answer = JSON.parse(ledger.stdout);
    expect(answer.first_break).toEqual({
      check: 'ledger',
      subject: 'USD',
      revision: null,
      reason: 'trial balance: debits 100.00 ≠ credits 101.00',
    });
    expect(answer.ledger.breaks[1]).toMatchObject({ subject: held });
    expect(answer.read_models.breaks).toHaveLength(1);
  });
});
