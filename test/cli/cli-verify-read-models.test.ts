/**
 * `verify --all` on every read model a stream sample can check, over a world the service wrote
 * through its HTTP API (fault-world.ts: keys, escrows with proofs and payouts, a failed payout's
 * alert, a PSP webhook, the spend catalogue, mandates and purchases, allowlists, certifications, a transfer):
 * a healthy store passes, naming the read models no sample can check; one row deleted or altered
 * behind the projectors in each table the check covers (through the superuser connection) is
 * caught, and the first break names the stream and the table.
 */
import { distFile, runChild } from '../support/child';
import { projectionsCaughtUp } from '../support/caught-up';
import { type World, buildWorld } from '../faults/support/fault-world';
import { storeEnv } from '../support/stored-events';

const CLI = 'apps/cli/src/main.js';
/** Every stream of the world is compared (the default samples 100 of each category). */
const SAMPLE_ALL = ['--sample', '10000'];
let w: World;
let env: Record<string, string>;

beforeAll(async () => {
  w = await buildWorld({ claims: 1, closeable: 1 });
  const settled = { event_id: `evt-${w.side1.payment}`, type: 'payment.settled' };
  expect((await w.api.webhook({ ...settled, psp_ref: w.side1.pspRef })).statusCode).toBe(200);
  env = {
    DATABASE_URL: w.api.t.tdb.serviceUrl,
    ...storeEnv(w.api.t.platform),
    DATABASE_OWNER_URL: w.api.t.tdb.ownerUrl,
    APP_ENV: 'test',
  };
  expect(await projectionsCaughtUp(w.api.t.platform)).toBe(true);
}, 240_000);
afterAll(() => w.api.close());

function verify(json = false) {
  return runChild(distFile(CLI), env, 120_000, [
    'verify',
    '--all',
    ...SAMPLE_ALL,
    ...(json ? ['--json'] : []),
  ]);
}

/** A row saved as JSON text, so a corruption can be undone for the next case. */
type Row = Record<string, string>;

interface Corruption {
  table: string;
  /** Which row (SQL over the table's columns); the first one found is corrupted. */
  where: (w: World) => string;
  /** Alter this column to this SQL value; delete the row when absent. */
  alter?: [string, string];
  /** The stream whose fold the row comes from. */
  stream: (row: Row) => string;
  /** How the break's reason starts. */
  reason: string;
}

const q = (value: string) => `'${value}'`;

const corruptions: Corruption[] = [
  {
    table: 'api_keys',
    where: (w) => `id = ${q(w.spareKeyId)}`,
    stream: (r) => `apikey-${r.id}`,
    reason: 'api_keys: no row',
  },
  {
    table: 'psp_webhooks',
    where: () => 'true',
    stream: (r) => r.stream_id!,
    reason: 'psp_webhooks: no row',
  },
  {
    table: 'proof_files',
    where: (w) => `id = ${q(w.side1.file)}`,
    stream: (r) => `proof-file-${r.id}`,
    reason: 'proof_files: no row',
  },
  {
    table: 'proofs',
    where: (w) => `id = ${q(w.side1.proof)}`,
    stream: (r) => `escrow-${r.escrow_id}`,
    reason: 'proofs rows is',
  },
  {
    table: 'proof_escrow_parties',
    where: (w) => `escrow_id = ${q(w.side1.draft)}`,
    stream: (r) => `escrow-${r.escrow_id}`,
    reason: 'proof_escrow_parties rows is 0, the fold says 1',
  },
  {
    table: 'alerts',
    where: () => 'true',
    stream: (r) => `alert-${r.id}`,
    reason: 'alerts rows is 0, the fold says 1',
  },
  {
    table: 'spend_categories',
    where: (w) => `id = ${q(w.category)}`,
    stream: (r) => `spend_category-${r.id}`,
    reason: 'spend_categories: no row',
  },
  {
    table: 'merchants',
    where: (w) => `id = ${q(w.merchant)}`,
    stream: (r) => `merchant-${r.id}`,
    reason: 'merchants: no row',
  },
  {
    table: 'usage_allows',
    where: () => 'true',
    stream: (r) => `usage_allow-${r.owner_id}`,
    reason: 'usage_allows rows is',
  },
  {
    table: 'mandates',
    where: (w) => `id = ${q(w.side1.mandate)}`,
    alter: ['status', `'EXPIRED'`],
    stream: (r) => `mandate-${r.id}`,
    reason: 'mandates.status is EXPIRED, the fold says ACTIVE',
  },
  {
    table: 'purchases',
    where: (w) => `id = ${q(w.side1.purchase)}`,
    stream: (r) => `mandate-${r.mandate_id}`,
    reason: 'purchases rows is',
  },
  {
    table: 'allowlist_entries',
    where: () => 'true',
    stream: (r) => `allowlist-${r.owner_id}`,
    reason: 'allowlist_entries rows is',
  },
  {
    table: 'certifications',
    where: () => 'true',
    alter: ['level', `level || '-edited'`],
    stream: (r) => `certification-${r.user_id}`,
    reason: 'certifications.level is',
  },
  {
    table: 'transactions',
    where: (w) => `id = ${q(w.transaction)}`,
    stream: (r) => `transaction-${r.id}`,
    reason: 'transactions: no row',
  },
  {
    table: 'audit_log',
    where: (w) => `stream_id = ${q(`escrow-${w.side1.funded}`)}`,
    stream: (r) => r.stream_id!,
    reason: 'audit_log rows is',
  },
];

/** Corrupts one row of `c.table`; returns the row as it was and how to put it back. */
async function corrupt(c: Corruption): Promise<{ row: Row; undo: () => Promise<void> }> {
  const pool = w.api.t.tdb.pool;
  const found = await pool.query(
    `SELECT row_to_json(t)::text AS json, ctid::text AS ctid FROM ${c.table} t
     WHERE ${c.where(w)} LIMIT 1`,
  );
  expect(found.rows).toHaveLength(1);
  const { json, ctid } = found.rows[0] as { json: string; ctid: string };
  if (c.alter) {
    await pool.query(`UPDATE ${c.table} SET ${c.alter[0]} = ${c.alter[1]} WHERE ctid = $1`, [ctid]);
  } else await pool.query(`DELETE FROM ${c.table} WHERE ctid = $1`, [ctid]);
  const undo = async () => {
    if (c.alter) {
      const set = `${c.alter[0]} = (json_populate_record(NULL::${c.table}, $1::json)).${c.alter[0]}`;
      await pool.query(`UPDATE ${c.table} SET ${set} WHERE ${c.where(w)}`, [json]);
    } else {
      await pool.query(
        `INSERT INTO ${c.table} SELECT * FROM json_populate_record(NULL::${c.table}, $1::json)`,
        [json],
      );
    }
  };
  return { row: JSON.parse(json) as Row, undo };
}

describe('kobatela verify --all on every sampled read model', () => {
  it('passes a healthy store and names the read models no sample can check', async () => {
    const r = await verify(true);
    const answer = JSON.parse(r.stdout);
    expect(answer.first_break).toBeNull();
    expect(r.code).toBe(0);
    expect(answer.read_models.skipped).toBe(0);
    expect(Object.keys(answer.read_models.compared_by_category).sort()).toEqual([
      'alert',
      'allowlist',
      'apikey',
      'certification',
      'escrow',
      'mandate',
      'merchant',
      'proof-file',
      'psp-webhook',
      'spend_category',
      'transaction',
      'usage_allow',
      'user',
    ]);
    expect(answer.read_models.not_sampled.map((n: { read_model: string }) => n.read_model)).toEqual(
      ['event_stats', 'ledger'],
    );
    const text = await verify();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^read models not sampled: event_stats \(.+\); ledger \(.+\)$/m);
  });

  it.each(corruptions.map((c) => [c.table, c] as const))(
    'names a %s row edited behind the projectors',
    async (_table, c) => {
      const { row, undo } = await corrupt(c);
      try {
        const r = await verify();
        expect(r.code).toBe(1);
        const stream = c.stream(row).replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
        const reason = c.reason.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
        expect(r.stdout).toMatch(
          new RegExp(`^first break: BROKEN read_model=${stream} revision=\\d+: ${reason}`, 'm'),
        );
      } finally {
        await undo();
      }
      expect((await verify()).code).toBe(0);
    },
  );
});
