/**
 * What must hold after a fault, checked from outside the service's own code paths:
 * - each load request answered 2xx took effect exactly once: counted in the event store (the
 *   deposit's initiation and confirmation on its escrow stream, the purchase on its mandate
 *   stream, the spend's payment initiated and sent) and in the PSP simulator's journal (one line
 *   per key per collection or transfer: a second line is money moved twice); and no effect exists
 *   that no request accounts for;
 * - the money adds up: each escrow's summary and each mandate's total against the sum of the
 *   answered requests, the ledger's balances against an independent fold of the escrow events
 *   (test/support/ledger-fold.ts), and the trial balance at zero;
 * - the read models equal a fresh fold: every projector table is snapshotted, `kobatela rebuild
 *   all` replays `$all` into fresh tables, and the two must be equal row for row;
 * - `kobatela verify --all` passes, and no projector is halted and no event parked.
 */
import Big from 'big.js';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { allProjectors } from '@kob/projections';
import {
  balanceMismatches,
  foldEscrowEvents,
  foldProblems,
  isAssetAccount,
} from '../../support/ledger-fold';
import { waitUntil } from '../../start/api-process';
import { type MoneyOp, type OpKind, type World, effectIdOf } from './money-load';
import type { Service } from './service';

export interface EffectAudit {
  /** Requests answered 2xx whose effect is missing (one line each). */
  lost: string[];
  /** Requests whose effect was applied more than once, and effects no request accounts for. */
  double: string[];
  /** Requests whose final answer was not a 2xx (none of the load's requests may be refused). */
  refused: string[];
}

interface EffectRow {
  type: string;
  id: string;
  key: string | null;
  kind: string | null;
  amount: string | null;
}

/** Output kept from a failed CLI run (its tail), characters. */
const CLI_OUTPUT_KEPT = 2000;

/** How many lines the PSP journal holds per key (collections and transfers). */
export function journalCounts(journal: string): Map<string, number> {
  const counts = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(journal, 'utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const { key } = JSON.parse(line) as { key: string };
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      // a line cut short by a crash mid-write was never answered: not a collection
    }
  }
  return counts;
}

async function effectRows(pool: Pool): Promise<EffectRow[]> {
  const res = await pool.query<EffectRow>(`
    SELECT type,
           coalesce(data->>'depositId', data->>'paymentId', data->>'purchaseId') AS id,
           metadata->>'idempotencyKey' AS key,
           data->>'kind' AS kind,
           data->>'amount' AS amount
      FROM events
     WHERE type IN ('escrow.deposit_initiated.v1', 'escrow.deposit_confirmed.v1',
                    'escrow.deposit_failed.v1', 'payment.initiated.v1', 'payment.sent.v1',
                    'payment.failed.v1', 'mandate.purchase_recorded.v1')`);
  return res.rows;
}

function countBy<T>(rows: readonly T[], key: (row: T) => string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = key(r);
    if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** The event store's and the PSP's records, indexed the ways a request's effect is looked up. */
interface Records {
  /** Per kind: effects recorded under a request's key, and under an effect id. */
  byKey: Record<OpKind, Map<string, number>>;
  byId: Record<OpKind, Map<string, number>>;
  /** Per kind: completed effects by id (deposit confirmed, spend sent, purchase recorded). */
  done: Record<OpKind, Map<string, number>>;
  psp: Map<string, number>;
  rowsById: Map<string, EffectRow[]>;
  /** Every recorded deposit, spend and purchase. */
  recorded: EffectRow[];
}

async function records(pool: Pool, journal: string): Promise<Records> {
  const rows = await effectRows(pool);
  const of = (type: string) => rows.filter((r) => r.type === type);
  const deposits = of('escrow.deposit_initiated.v1');
  const spends = of('payment.initiated.v1').filter((r) => r.kind === 'spend');
  const purchases = of('mandate.purchase_recorded.v1');
  const rowsById = new Map<string, EffectRow[]>();
  for (const r of rows) rowsById.set(r.id, [...(rowsById.get(r.id) ?? []), r]);
  const byId = {
    deposit: countBy(deposits, (r) => r.id),
    spend: countBy(spends, (r) => r.id),
    purchase: countBy(purchases, (r) => r.id),
  };
  return {
    byKey: {
      deposit: countBy(deposits, (r) => r.key),
      spend: countBy(spends, (r) => r.key),
      purchase: countBy(purchases, (r) => r.key),
    },
    byId,
    done: {
      deposit: countBy(of('escrow.deposit_confirmed.v1'), (r) => r.id),
      spend: countBy(of('payment.sent.v1'), (r) => r.id),
      purchase: byId.purchase,
    },
    psp: journalCounts(journal),
    rowsById,
    recorded: [...deposits, ...spends, ...purchases],
  };
}

/** One answered request against the records: a line for `lost` or `double`, or nothing. */
function judgeEffect(op: MoneyOp, id: string, rec: Records, audit: EffectAudit): void {
  const label = `#${op.n} ${op.kind} key=${op.idemKey} id=${id}`;
  const n = {
    key: rec.byKey[op.kind].get(op.idemKey) ?? 0,
    recorded: rec.byId[op.kind].get(id) ?? 0,
    done: rec.done[op.kind].get(id) ?? 0,
    // A purchase moves no money through the PSP.
    psp: op.kind === 'purchase' ? 1 : (rec.psp.get(id) ?? 0),
  };
  const what =
    `${label}: ${n.key} recorded under its key, ${n.recorded} under its id, ` +
    `${n.done} completed, ${n.psp} PSP lines`;
  const all = [n.key, n.recorded, n.done, n.psp];
  if (all.some((c) => c > 1)) audit.double.push(what);
  else if (all.some((c) => c === 0)) audit.lost.push(what);
  const rows = rec.rowsById.get(id) ?? [];
  const wrong = rows.filter((r) => r.amount !== null && !new Big(r.amount).eq(op.amount));
  if (wrong.length) {
    const recorded = wrong.map((r) => `${r.type} ${r.amount}`).join(', ');
    audit.lost.push(`${label}: asked ${op.amount}, recorded ${recorded}`);
  }
}

/** Counts each request's effects in the event store and the PSP journal. */
export async function auditEffects(
  pool: Pool,
  ops: readonly MoneyOp[],
  world: World,
  journal: string,
): Promise<EffectAudit> {
  const rec = await records(pool, journal);
  const audit: EffectAudit = { lost: [], double: [], refused: [] };
  const accounted = new Set<string>(world.seedDepositIds);
  for (const op of ops) {
    if (!op.answer) continue;
    if (op.answer.status >= 300) {
      const answer = `${op.answer.status} ${op.answer.text.slice(0, 300)}`;
      audit.refused.push(`#${op.n} ${op.kind} key=${op.idemKey}: ${answer}`);
      continue;
    }
    const id = effectIdOf(op.kind, op.answer);
    if (!id) {
      const answer = op.answer.text.slice(0, 300);
      audit.lost.push(`#${op.n} ${op.kind} key=${op.idemKey}: the 2xx names no effect: ${answer}`);
      continue;
    }
    accounted.add(id);
    judgeEffect(op, id, rec, audit);
  }
  // Effects no request accounts for: a request that took effect twice under two ids.
  for (const r of rec.recorded) {
    if (!accounted.has(r.id)) {
      audit.double.push(`${r.type} ${r.id} (key ${r.key}) belongs to no answered request`);
    }
  }
  for (const [key, n] of rec.psp) {
    if (!accounted.has(key)) {
      audit.double.push(`the PSP moved money ${n} time(s) under key ${key}, no answered request's`);
    }
  }
  return audit;
}

/**
 * Deposits and spends a fault caught half-way: recorded by one request, completed (confirmed, or
 * sent) by another one (the client's replay, with its own request id) or by the recovery job.
 */
export async function completedByAnother(
  pool: Pool,
): Promise<{ deposits: number; spends: number; byRecoveryJob: number }> {
  const res = await pool.query<{ kind: string; n: number; job: number }>(`
    SELECT CASE WHEN s.type = 'escrow.deposit_initiated.v1' THEN 'deposits' ELSE 'spends' END
             AS kind,
           count(*)::int AS n,
           count(*) FILTER (WHERE d.metadata->'actor'->>'kind' = 'system')::int AS job
      FROM events s
      JOIN events d ON d.stream_id = s.stream_id
       AND ((s.type = 'escrow.deposit_initiated.v1' AND d.type = 'escrow.deposit_confirmed.v1'
             AND d.data->>'depositId' = s.data->>'depositId')
         OR (s.type = 'payment.initiated.v1' AND d.type = 'payment.sent.v1'
             AND d.data->>'paymentId' = s.data->>'paymentId'))
     WHERE s.type IN ('escrow.deposit_initiated.v1', 'payment.initiated.v1')
       AND d.metadata->>'correlationId' IS DISTINCT FROM s.metadata->>'correlationId'
     GROUP BY 1`);
  const of = (kind: string) => res.rows.find((r) => r.kind === kind)?.n ?? 0;
  const byRecoveryJob = res.rows.reduce((a, r) => a + r.job, 0);
  return { deposits: of('deposits'), spends: of('spends'), byRecoveryJob };
}

/** Each escrow's and mandate's totals (read models, over HTTP) against the answered requests. */
export async function moneyTotals(
  service: Service,
  world: World,
  ops: readonly MoneyOp[],
): Promise<string[]> {
  const problems: string[] = [];
  const answered = ops.filter((op) => op.answer && op.answer.status < 300);
  const sum = (kind: OpKind, target: string) =>
    answered
      .filter((op) => op.kind === kind && op.target === target)
      .reduce((a, op) => a.plus(op.amount), new Big(0));
  for (const escrow of world.escrows) {
    const url = `/escrows/${escrow.id}/summary`;
    const { balances } = await service.expectStatus(200, 'GET', url, world.supportKey);
    const deposited = sum('deposit', escrow.id).plus(escrow.seeded);
    const spent = sum('spend', escrow.id);
    const expected: Record<string, Big> = {
      deposited,
      spent,
      held: deposited.minus(spent),
      pending_deposits: new Big(0),
      failed: new Big(0),
    };
    for (const [field, value] of Object.entries(expected)) {
      if (new Big(balances[field]).eq(value)) continue;
      const given = `the answered requests give ${value.toFixed(2)}`;
      problems.push(`escrow ${escrow.id}: ${field} ${balances[field]}, ${given}`);
    }
  }
  for (const mandate of world.mandates) {
    const m = await service.expectStatus(200, 'GET', `/mandates/${mandate.id}`, world.supportKey);
    const spent = sum('purchase', mandate.id);
    if (new Big(m.total_spent).eq(spent)) continue;
    const given = `the answered purchases give ${spent.toFixed(2)}`;
    problems.push(`mandate ${mandate.id}: total_spent ${m.total_spent}, ${given}`);
  }
  return problems;
}

/** The trial balance (as support): every currency balanced, debits = credits. */
export async function trialBalanceProblems(service: Service, world: World): Promise<string[]> {
  const tb = await service.expectStatus(200, 'GET', '/ledger/trial-balance', world.supportKey);
  type Row = { currency: string; debits: string; credits: string; balanced: boolean };
  const rows = tb.items as Row[];
  const problems = rows
    .filter((r) => !r.balanced || !new Big(r.debits).eq(r.credits))
    .map((r) => `trial balance ${JSON.stringify(r)}`);
  if (rows.length === 0) problems.push(`the trial balance has no rows: ${JSON.stringify(tb)}`);
  return problems;
}

/** The ledger read model against an independent fold of the escrow events. */
export async function ledgerProblems(pool: Pool): Promise<string[]> {
  const events = await pool.query<{ streamId: string; type: string; data: unknown }>(`
    SELECT stream_id AS "streamId", type, data FROM events
     WHERE stream_id LIKE 'escrow-%' ORDER BY transaction_id, position`);
  const fold = foldEscrowEvents(events.rows);
  const accounts = await pool.query<{ account: string; debits: string; credits: string }>(
    'SELECT account, debits::text, credits::text FROM ledger_accounts',
  );
  const stored = new Map<string, string>();
  for (const { account, debits, credits } of accounts.rows) {
    const balance = isAssetAccount(account)
      ? new Big(debits).minus(credits)
      : new Big(credits).minus(debits);
    stored.set(account, balance.toString());
  }
  const entries = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries');
  const problems = [
    ...foldProblems(fold).map((p) => `fold: ${p}`),
    ...balanceMismatches(fold, stored),
  ];
  const n = entries.rows[0]!.n;
  if (n !== fold.entries) problems.push(`ledger_entries: ${n} entries, the fold ${fold.entries}`);
  return problems;
}

export interface HealthFindings {
  halted: string[];
  parked: number;
  body: any;
}

export async function healthFindings(service: Service): Promise<HealthFindings> {
  const health = await service.expectStatus(200, 'GET', '/health', null);
  const projectors = health.projections as { name: string; halted_reason: string | null }[];
  return {
    halted: (health.halted_projectors as string[]).map((name) => {
      const reason = projectors.find((p) => p.name === name)?.halted_reason ?? 'halted';
      return `${name}: ${reason}`;
    }),
    parked: Number(health.parked_events?.total ?? 0),
    body: health,
  };
}

/** Waits until every running projector's checkpoint is at the newest committed event. */
export async function waitProjected(pool: Pool, timeoutMs: number): Promise<void> {
  const behind = async () => {
    const res = await pool.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM projection_checkpoints c,
        (SELECT transaction_id, position FROM events
          ORDER BY transaction_id DESC, position DESC LIMIT 1) h
       WHERE c.status = 'running'
         AND (c.checkpoint_tx, c.checkpoint_pos) < (h.transaction_id, h.position)`);
    return res.rows[0]!.n;
  };
  await waitUntil(
    'the projections to apply every committed event',
    async () => ((await behind()) === 0 ? true : undefined),
    timeoutMs,
    100,
  );
}

/** Waits until nothing the PSP was asked for is left PENDING (the recovery job's work). */
export async function waitNothingPending(pool: Pool, timeoutMs: number): Promise<void> {
  const pending = async () => {
    const res = await pool.query<{ n: string }>(`
      SELECT (SELECT count(*) FROM deposits WHERE status = 'PENDING')
           + (SELECT count(*) FROM payments WHERE status = 'PENDING') AS n`);
    return Number(res.rows[0]!.n);
  };
  await waitUntil(
    'no deposit or payment left PENDING',
    async () => ((await pending()) === 0 ? true : undefined),
    timeoutMs,
    250,
  );
}

/** Every projector table, each row as JSON text, sorted (what a rebuild must reproduce). */
export async function readModelSnapshot(pool: Pool): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const table of allProjectors.flatMap((p) => p.tables)) {
    const res = await pool.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM "${table}" t`,
    );
    out.set(table, res.rows.map((r) => r.row).sort());
  }
  return out;
}

/** Tables whose rows differ between two snapshots, with a few rows on each side. */
export function snapshotDiff(
  live: Map<string, string[]>,
  rebuilt: Map<string, string[]>,
): string[] {
  const diffs: string[] = [];
  for (const [table, rows] of live) {
    const other = rebuilt.get(table) ?? [];
    const inOther = new Set(other);
    const inLive = new Set(rows);
    const onlyLive = rows.filter((r) => !inOther.has(r)).slice(0, 2);
    const onlyRebuilt = other.filter((r) => !inLive.has(r)).slice(0, 2);
    if (onlyLive.length || onlyRebuilt.length || rows.length !== other.length) {
      const sides = `only live: ${onlyLive.join(' ')}; only rebuilt: ${onlyRebuilt.join(' ')}`;
      diffs.push(`${table}: ${rows.length} live rows, ${other.length} rebuilt; ${sides}`);
    }
  }
  return diffs;
}

function cliFailure(what: string, res: { code: number | null; stdout: string; stderr: string }) {
  const out = `${res.stdout.slice(-CLI_OUTPUT_KEPT)} ${res.stderr.slice(-CLI_OUTPUT_KEPT)}`;
  return `kobatela ${what} exited ${res.code}: ${out}`;
}

/**
 * The live read models against a fresh fold: snapshot, `kobatela rebuild all` (every read model
 * rebuilt from `$all` into fresh tables and switched in), snapshot again. Run with no API or
 * worker projecting (stopped), so nothing moves in between.
 */
export async function rebuildDiff(service: Service, pool: Pool): Promise<string[]> {
  const live = await readModelSnapshot(pool);
  const rebuilt = await service.cli(['rebuild', 'all']);
  if (rebuilt.code !== 0) return [cliFailure('rebuild all', rebuilt)];
  return snapshotDiff(live, await readModelSnapshot(pool));
}

/** `kobatela verify --all`: every stream's hash chain. */
export async function verifyAll(service: Service): Promise<string[]> {
  const res = await service.cli(['verify', '--all']);
  const ok = res.code === 0 && /all chains valid/.test(res.stdout);
  return ok ? [] : [cliFailure('verify --all', res)];
}
