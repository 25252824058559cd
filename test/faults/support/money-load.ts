/**
 * Money under fault: a small world (clients with escrows funded and a payee allowed on each, a
 * sender with usage mandates for several beneficiaries at a certified merchant) and a load of
 * concurrent money requests against it, each with its own Idempotency-Key: deposits
 * (`POST /escrows/{id}/deposit`), usage spends (`POST /spend`) and mandate purchases
 * (`POST /spend/purchases`). A request that gets no answer (connection refused or reset, a
 * timeout), a 5xx or a 429 is replayed later with the same key and body, as a careful client
 * would, until it is answered; every attempt is kept so the checks can tell what each request
 * should have done. Amounts are chosen so that no rule refuses any of them: every answer must be
 * a 2xx.
 */
import Big from 'big.js';
import { randomBytes } from 'node:crypto';
import { waitUntil } from '../../start/api-process';
import type { Answer, Outcome, Service } from './service';

export type OpKind = 'deposit' | 'spend' | 'purchase';

export interface MoneyOp {
  n: number;
  kind: OpKind;
  path: string;
  apiKey: string;
  body: string;
  idemKey: string;
  amount: string;
  /** The escrow (deposit, spend) or mandate (purchase) the request moves money on. */
  target: string;
  attempts: number;
  /** The final answer (a 2xx or a 4xx other than 429); null while unanswered. */
  answer: Answer | null;
  /** Why earlier attempts got no final answer (the last few). */
  failures: string[];
}

export interface WorldEscrow {
  id: string;
  clientKey: string;
  /** Deposited and confirmed during the setup (spends draw on it). */
  seeded: string;
}

export interface WorldMandate {
  id: string;
  beneficiaryId: string;
}

export interface World {
  supportKey: string;
  auditorKey: string;
  escrows: WorldEscrow[];
  senderId: string;
  senderKey: string;
  merchantId: string;
  mandates: WorldMandate[];
  /** Deposit ids of the setup's deposits (effects no load request made). */
  seedDepositIds: string[];
}

export const PAYEE_REF = 'shop-1';
/** Large enough that no deposit of a run reaches an escrow's total, nor a purchase a mandate's. */
const ESCROW_TOTAL = '100000000.00';
const MANDATE_TOTAL = '100000000.00';
/** Held by each escrow before the load: far more than a run's spends take. */
const ESCROW_SEED = '5000.00';
const FAILURES_KEPT_MAX = 4;
/** How long a new user or key may take to reach the read models (worker mode). */
const VISIBLE_TIMEOUT_MS = 30_000;

/** A seeded PRNG (mulberry32), so a failing run's sequence of requests can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The run's seed: FAULTS_SEED when set (to replay a run), else a fresh one (printed). */
export function runSeed(): number {
  const fixed = Number(process.env.FAULTS_SEED);
  return Number.isInteger(fixed) && fixed > 0 ? fixed : 1 + Math.floor(Math.random() * 2 ** 31);
}

const tag = () => randomBytes(4).toString('hex');

/**
 * Polls `GET urlPath` with `key` until it answers 200. In worker mode a new user or key is in the
 * read models (which the key lookup and user checks read) only once a worker projected it, and
 * the command's answer does not wait for that (see the report of issue 12's fault suite).
 */
async function until200(service: Service, urlPath: string, key: string): Promise<void> {
  const ok = async () => (await service.call('GET', urlPath, key)).answer?.status === 200;
  await waitUntil(
    `GET ${urlPath} to answer 200`,
    async () => ((await ok()) ? true : undefined),
    VISIBLE_TIMEOUT_MS,
    50,
  );
}

async function newKey(service: Service, body: Record<string, unknown>): Promise<string> {
  const { key } = await service.expectStatus(201, 'POST', '/apikeys', service.adminKey, body);
  await until200(service, '/spend/merchants?limit=1', key);
  return key;
}

async function user(service: Service, name: string): Promise<{ id: string; key: string }> {
  const username = `${name}-${tag()}`;
  const body = { username, email: `${username}@example.org` };
  const created = await service.expectStatus(201, 'POST', '/users', service.adminKey, body);
  await until200(service, `/users/${created.id}`, service.adminKey);
  const key = await newKey(service, { name, scope: 'sender', user_id: created.id });
  return { id: created.id, key };
}

/** An escrow of `client` holding ESCROW_SEED (one confirmed deposit), with PAYEE_REF allowed. */
async function seededEscrow(
  service: Service,
  supportKey: string,
  client: { id: string; key: string },
  providerId: string,
): Promise<{ escrow: WorldEscrow; depositId: string }> {
  const escrow = await service.expectStatus(201, 'POST', '/escrows', client.key, {
    client_id: client.id,
    provider_id: providerId,
    amount_total: ESCROW_TOTAL,
    currency: 'USD',
    release_conditions: { on_deadline: 'none' },
    deadline_at: '2099-12-31T00:00:00Z',
  });
  const key = { 'idempotency-key': `seed-${tag()}` };
  const deposit = { amount: ESCROW_SEED };
  const path = `/escrows/${escrow.id}/deposit`;
  const seeded = await service.expectStatus(200, 'POST', path, client.key, deposit, key);
  if (seeded.deposit.status !== 'CONFIRMED') {
    throw new Error(`seed deposit: ${JSON.stringify(seeded.deposit)}`);
  }
  const payee = { escrow_id: escrow.id, payee_ref: PAYEE_REF, label: 'Shop' };
  await service.expectStatus(201, 'POST', '/spend/allowed', supportKey, payee);
  return {
    escrow: { id: escrow.id, clientKey: client.key, seeded: ESCROW_SEED },
    depositId: seeded.deposit.id,
  };
}

/** Users, keys, escrows (seeded, one payee each), a certified merchant and mandates. */
export async function createWorld(
  service: Service,
  sizes = { clients: 2, escrowsPerClient: 3, mandates: 3 },
): Promise<World> {
  const supportKey = await newKey(service, { name: 'support', scope: 'support' });
  const auditorKey = await newKey(service, { name: 'auditor', scope: 'auditor' });
  const provider = await user(service, 'provider');
  const escrows: WorldEscrow[] = [];
  const seedDepositIds: string[] = [];
  for (let c = 0; c < sizes.clients; c++) {
    const client = await user(service, `client${c}`);
    for (let e = 0; e < sizes.escrowsPerClient; e++) {
      const { escrow, depositId } = await seededEscrow(service, supportKey, client, provider.id);
      escrows.push(escrow);
      seedDepositIds.push(depositId);
    }
  }
  const merchant = await service.expectStatus(201, 'POST', '/spend/merchants', supportKey, {
    name: `Merchant ${tag()}`,
    is_certified: true,
  });
  const sender = await user(service, 'sender');
  const mandates: WorldMandate[] = [];
  for (let m = 0; m < sizes.mandates; m++) {
    const beneficiary = await user(service, `beneficiary${m}`);
    const mandate = await service.expectStatus(201, 'POST', '/mandates', sender.key, {
      sender_id: sender.id,
      beneficiary_id: beneficiary.id,
      total_amount: MANDATE_TOTAL,
      currency: 'USD',
      expires_at: '2099-12-31T00:00:00Z',
    });
    mandates.push({ id: mandate.id, beneficiaryId: beneficiary.id });
  }
  const senderPart = { senderId: sender.id, senderKey: sender.key, merchantId: merchant.id };
  return { supportKey, auditorKey, escrows, ...senderPart, mandates, seedDepositIds };
}

/** An amount of `min`..`max` cents as a decimal string. */
function cents(rng: () => number, min: number, max: number): string {
  return new Big(min + Math.floor(rng() * (max - min + 1))).div(100).toFixed(2);
}

/** Observes every attempt (the outage test judges the answers given while PostgreSQL is down). */
export type AttemptObserver = (op: MoneyOp, outcome: Outcome) => void;

export interface LoadOptions {
  /** Whether a 503 is expected for an attempt that ran then (the database was down). */
  expect503?: (startedAt: number, endedAt: number) => boolean;
  onAttempt?: AttemptObserver;
}

/**
 * One running burst of the load. `stop()` at once starts no more requests (call it before a
 * kill, so no worker spins on a dead API) and resolves when the requests in flight ended.
 */
export interface LoadRun {
  stop(): Promise<void>;
}

/** A client pauses this long after an attempt that got no final answer, before its next one. */
const RETRY_PAUSE_MS = 100;
/** The mix of the load: deposits, spends, and purchases for the rest. */
const DEPOSIT_SHARE = 0.4;
const SPEND_SHARE = 0.3;

/** The id of the effect a 2xx answer names: the deposit's, the spend's payment, the purchase's. */
export function effectIdOf(kind: OpKind, answer: Answer): string | null {
  const body = answer.body;
  if (kind === 'deposit') return body?.deposit?.id ?? null;
  if (kind === 'spend') return body?.payment_id ?? null;
  return body?.id ?? null;
}

export class MoneyLoad {
  readonly ops: MoneyOp[] = [];
  private readonly replays: MoneyOp[] = [];

  constructor(
    private readonly service: Service,
    private readonly world: World,
    private readonly rng: () => number,
    private readonly options: LoadOptions = {},
  ) {}

  /** Requests sent and not answered yet (waiting for a replay or in flight). */
  unanswered(): MoneyOp[] {
    return this.ops.filter((op) => op.answer === null);
  }

  /**
   * Runs `concurrency` workers until stopped: each replays an unanswered request if there is one,
   * else sends a new one (unless `newOps` is false, then it ends when nothing is left).
   */
  start(concurrency: number, newOps = true): LoadRun {
    let stopped = false;
    const worker = async () => {
      while (!stopped) {
        const op = this.replays.shift() ?? (newOps ? this.newOp() : undefined);
        if (!op) return;
        const answered = await this.attempt(op);
        if (!answered && !stopped) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    };
    const workers = Array.from({ length: concurrency }, worker);
    return {
      stop: () => {
        stopped = true;
        return Promise.all(workers).then(() => undefined);
      },
    };
  }

  /**
   * Replays every unanswered request until all are answered, polling with a deadline: a request
   * answered 5xx or not at all goes back in the queue.
   */
  async drain(concurrency: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unanswered().length > 0) {
      if (Date.now() > deadline) {
        const left = this.unanswered();
        const some = left.slice(0, 3).map(describeOp).join('; ');
        throw new Error(`${left.length} requests still unanswered after ${timeoutMs} ms: ${some}`);
      }
      await this.start(concurrency, false).stop();
      if (this.unanswered().length > 0) await new Promise((r) => setTimeout(r, 200));
    }
  }

  private newOp(): MoneyOp {
    const r = this.rng();
    const n = this.ops.length + 1;
    const base = { n, idemKey: `fault-${n}-${tag()}`, attempts: 0, answer: null, failures: [] };
    let op: MoneyOp;
    if (r < DEPOSIT_SHARE) {
      const escrow = this.pick(this.world.escrows);
      const amount = cents(this.rng, 100, 2000);
      const body = JSON.stringify({ amount });
      const path = `/escrows/${escrow.id}/deposit`;
      const apiKey = escrow.clientKey;
      op = { ...base, kind: 'deposit', path, apiKey, body, amount, target: escrow.id };
    } else if (r < DEPOSIT_SHARE + SPEND_SHARE) {
      const escrow = this.pick(this.world.escrows);
      const amount = cents(this.rng, 1, 200);
      const body = JSON.stringify({ escrow_id: escrow.id, payee_ref: PAYEE_REF, amount });
      const apiKey = escrow.clientKey;
      op = { ...base, kind: 'spend', path: '/spend', apiKey, body, amount, target: escrow.id };
    } else {
      const mandate = this.pick(this.world.mandates);
      const amount = cents(this.rng, 1, 500);
      const body = JSON.stringify({
        sender_id: this.world.senderId,
        beneficiary_id: mandate.beneficiaryId,
        merchant_id: this.world.merchantId,
        amount,
        currency: 'USD',
      });
      const apiKey = this.world.senderKey;
      const path = '/spend/purchases';
      op = { ...base, kind: 'purchase', path, apiKey, body, amount, target: mandate.id };
    }
    this.ops.push(op);
    return op;
  }

  /**
   * Sends answered requests again with their keys: each must answer as the first time did (a 2xx
   * naming the same deposit, payment or purchase), whatever restarts came in between.
   */
  async repeatAnswered(ops: readonly MoneyOp[]): Promise<string[]> {
    const problems: string[] = [];
    for (const op of ops) {
      const first = op.answer!;
      const again = await this.service.call('POST', op.path, op.apiKey, op.body, {
        headers: { 'idempotency-key': op.idemKey },
      });
      const firstId = effectIdOf(op.kind, first);
      const a = again.answer;
      if (!a || a.status !== first.status || effectIdOf(op.kind, a) !== firstId) {
        const got = again.error ?? `${a!.status} ${a!.text.slice(0, 200)}`;
        const what = `#${op.n} ${op.kind} key=${op.idemKey}`;
        problems.push(`${what}: first ${first.status} ${firstId}, again ${got}`);
      }
    }
    return problems;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)]!;
  }

  /** Sends `op` once; true when it got its final answer. */
  private async attempt(op: MoneyOp): Promise<boolean> {
    op.attempts += 1;
    const outcome = await this.service.call('POST', op.path, op.apiKey, op.body, {
      headers: { 'idempotency-key': op.idemKey },
      ...(this.options.expect503 ? { expect503: this.options.expect503 } : {}),
    });
    this.options.onAttempt?.(op, outcome);
    const answer = outcome.answer;
    if (answer && answer.status < 500 && answer.status !== 429) {
      op.answer = answer;
      return true;
    }
    const why = outcome.error ?? `${answer!.status} ${answer!.text.slice(0, 200)}`;
    op.failures = [...op.failures, why].slice(-FAILURES_KEPT_MAX);
    this.replays.push(op);
    return false;
  }
}

export function describeOp(op: MoneyOp): string {
  const answer = op.answer ? `${op.answer.status} ${op.answer.text.slice(0, 300)}` : 'unanswered';
  const earlier = op.failures.join(' | ') || 'none';
  const what = `#${op.n} ${op.kind} ${op.path} key=${op.idemKey} body=${op.body}`;
  return `${what} attempts=${op.attempts} → ${answer} (earlier: ${earlier})`;
}
