/**
 * Fuzz of every operation in `/openapi.json` (issue 12). The app is the real one on a test
 * database; a world of real users, keys, escrows, milestones, proofs, payments, payees, mandates
 * and transfers is made first through the API, and each operation's valid request
 * (support/valid-requests.ts) is broken one piece at a time by fast-check under a fixed seed
 * (support/fuzz-mutations.ts): wrong types, missing and unknown fields, huge and exotic text, money
 * as JSON numbers, malformed JSON, foreign content types, oversized bodies, ids that are not ids,
 * bad pages and filters, bad Idempotency-Key and X-Min-Event-Position headers, broken webhook
 * signatures. Every case is sent as the bootstrap admin and as a sender key linked to a user.
 *
 * What must hold (support/fuzz-runner.ts): no 5xx; every refusal a 4xx in the error envelope
 * with X-Request-Id; no input the rules refuse accepted; a refused request appends nothing but at
 * most one alert (counted in SQL after each request); no projector halts and nothing is parked.
 *
 * FUZZ_SEED (default below) and FUZZ_RUNS_PER_OPERATION change the draw for local exploration
 * (the seed is printed with the counts); FUZZ_OPERATIONS (parts of `METHOD /path`, comma
 * separated) fuzzes only some operations; FUZZ_TRACE=1 (or `full`) prints every request.
 */
import { projectionsCaughtUp } from '../support/caught-up';
import { type FaultCounts, emptyCounts, reportCounts } from './support/tally';
import { type World, buildWorld } from './support/fault-world';
import { FuzzRun, fuzzCases } from './support/fuzz-runner';
import { type Operation, operationsOf } from './support/openapi-operations';
import { healthProblems } from './support/store-watch';
import { RECIPES } from './support/valid-requests';

const DEFAULT_SEED = 20261212;
/** Cases per operation; each is sent twice (admin, sender). */
const DEFAULT_RUNS_PER_OPERATION = 110;
/** Escrows waiting for a proof, and escrows per closing action (see buildWorld). */
const CLAIM_TARGETS = 80;
const CLOSEABLE_TARGETS = 25;

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${raw}`);
  return value;
}

const SEED = envInteger('FUZZ_SEED', DEFAULT_SEED);
const RUNS = envInteger('FUZZ_RUNS_PER_OPERATION', DEFAULT_RUNS_PER_OPERATION);
/** For local exploration: only the operations whose `METHOD /path` contains one of these. */
const ONLY = (process.env.FUZZ_OPERATIONS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const selected = (op: Operation) => ONLY.length === 0 || ONLY.some((part) => op.key.includes(part));
/** Above jest's default hook timeout: ~2.5 minutes on two idle cores, much more when shared. */
const FUZZ_TIMEOUT_MS = 20 * 60_000;

/** A stable per-operation seed, so that a new operation does not change the others' cases. */
function operationSeed(key: string): number {
  let h = SEED | 0;
  for (const ch of key) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/** Ids of real objects of every kind, put where another kind belongs in a share of the cases. */
function realIdsOf(w: World): string[] {
  // Decoys only: a case may close, pay or revoke what it names.
  const s = w.side3;
  return [
    ...[w.decoyUser, w.decoyKeyId, w.category, w.merchant, w.transaction],
    ...[s.funded, s.draft, s.openMilestone, s.payment, s.failedPayment],
    ...[s.proof, s.file, s.mandate, s.purchase],
  ];
}

/** Fuzzes every selected operation that has a recipe, in the document's order. */
async function fuzzAll(w: World, run: FuzzRun, operations: Operation[]): Promise<void> {
  const realIds = realIdsOf(w);
  for (const op of operations) {
    if (!RECIPES[op.key] || !selected(op)) continue; // a missing recipe fails the first test
    const { recipe, paginated } = await run.probe(op);
    const sample = recipe.build(w, recipe.side === 1 ? w.side1 : w.side2, -1);
    const shape = { op, recipe, sample, paginated, realIds };
    await run.fuzz(op, recipe, fuzzCases(shape, operationSeed(op.key), RUNS));
  }
}

describe('fuzz: every operation of /openapi.json', () => {
  let w: World;
  let run: FuzzRun;
  let operations: Operation[] = [];
  const counts: FaultCounts = emptyCounts();
  const started = Date.now();

  beforeAll(async () => {
    // Enough targets that the valid requests of the one-shot operations (a proof, a delivery,
    // an approval, a rejection) keep being accepted, so their free text reaches the events.
    w = await buildWorld({ claims: CLAIM_TARGETS, closeable: CLOSEABLE_TARGETS });
    process.stdout.write(`fuzz: world built in ${Date.now() - started} ms\n`);
    const doc = await w.api.t.app.inject({ method: 'GET', url: '/openapi.json' });
    if (doc.statusCode !== 200) throw new Error(`GET /openapi.json: ${doc.statusCode}`);
    operations = operationsOf(doc.json());
    run = new FuzzRun(w, SEED, counts);
    await run.start();
    await fuzzAll(w, run, operations);
    // Whatever the projectors make of the last events shows before the checks.
    await projectionsCaughtUp(w.api.t.platform);
    await run.checkHalts();
    printReport(run, operations, Date.now() - started);
  }, FUZZ_TIMEOUT_MS);

  afterAll(async () => {
    reportCounts('fuzz', counts);
    await w?.api.close();
  });

  it('has a valid request for every operation of /openapi.json, and fuzzed each', () => {
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.filter((op) => !RECIPES[op.key]).map((op) => op.key)).toEqual([]);
    const sent = (op: Operation) => run.stats.get(op.key)?.sent ?? 0;
    const short = operations.filter((op) => selected(op) && sent(op) < RUNS);
    expect(short.map((op) => op.key)).toEqual([]);
    const stale = Object.keys(RECIPES).filter((k) => !operations.some((op) => op.key === k));
    expect(stale).toEqual([]);
  });

  it('answers no 5xx', () => {
    expect(run.summary(['5xx'])).toEqual([]);
  });

  it('answers every refusal in the error envelope, and every answer with X-Request-Id', () => {
    expect(run.summary(['envelope', 'no-request-id'])).toEqual([]);
  });

  it('accepts no input the rules refuse', () => {
    expect(run.summary(['accepted'])).toEqual([]);
  });

  it('appends nothing for a refused request but at most one alert', () => {
    expect(run.summary(['appended', 'late'])).toEqual([]);
  });

  it('halts no projector and parks no event', async () => {
    const health = await w.api.t.app.inject({ method: 'GET', url: '/health' });
    const parked = (await run.watchParked()).filter((t) => t.rows > 0);
    expect([
      ...run.summary(['halt']),
      ...healthProblems(health.json()),
      ...parked.map((t) => `${t.rows} row(s) in ${t.table}`),
    ]).toEqual([]);
  });
});

function printReport(run: FuzzRun, operations: Operation[], elapsedMs: number): void {
  const lines = operations.map((op) => {
    const s = run.stats.get(op.key);
    if (!s) return `  ${op.key}: not fuzzed`;
    const top = [...s.codes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
    const codes = top.map(([c, n]) => `${c} ${n}`).join(', ');
    return `  ${op.key}: ${s.sent} sent, ${s.accepted} 2xx, ${s.elapsedMs} ms; ${codes}`;
  });
  const unsendable = run.findings.filter((f) => f.kind === 'unsendable').length;
  const found = run.findings.length - unsendable;
  const { inputs, serverErrors } = run.counts;
  process.stdout.write(
    `fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} random cases per operation ` +
      '(FUZZ_RUNS_PER_OPERATION) after the boundary corpus, each as admin and as sender\n' +
      `${lines.join('\n')}\n` +
      `fuzz: ${inputs} inputs tried on ${operations.length} operations ` +
      `(${unsendable} not sendable), ${serverErrors} 5xx, ${found} findings, ` +
      `${Math.round(elapsedMs / 1000)} s\n`,
  );
}
