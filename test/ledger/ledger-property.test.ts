/**
 * A seeded property test of the double-entry ledger (API-RULES.md §2, §3). Each run draws, from a
 * small seeded PRNG (mulberry32), 25–40 operations over 2–4 escrows of one currency and sends them
 * through the real HTTP API (decider, PSP flows, webhooks and projections all real): creations
 * (some past their deadline), milestones, deposits (some above what is left, some confirmed later
 * by webhook, some declined or unanswered by the PSP), replayed deposits, releases, client approve
 * and reject, deadlines, deliveries, the PSP failing or losing its answer for one call, payment
 * webhooks (failed, settled, parked, duplicated), executes of PENDING payments, retries of ERROR
 * ones, and bursts of two or three of these at once. Every answer must be below 500 and one the
 * rules allow for that operation. Every ten operations and at the end, the ledger (every row of
 * `ledger_accounts`, the entry count, the ledger routes, the trial balance) is compared with an
 * independent fold of the raw `escrow-*` events (test/support/ledger-fold.ts), the summaries with
 * the balances the fold derives from payment statuses, and /health must show no halted projector.
 * Then the run is settled as a patient client and PSP would (pending deposits asked again, pending
 * collections confirmed, pending payments executed) and the PSP simulator serves as the outside
 * witness: what it collected and sent must be what the ledger's psp:cash says. A failure names its
 * seed and prints the operation log; `LEDGER_PROPERTY_SEED=<n>` (or `a-b`, `a,b`) with optional
 * `LEDGER_PROPERTY_CURRENCY=JPY|KWD|USD` replays or explores runs. Seeds that showed a bug are
 * pinned as extra cases. The fold is checked first on hand-made events, tampered ones included,
 * and the live comparison last on a ledger row drifted on purpose.
 */
import { randomBytes } from 'node:crypto';
import Big from 'big.js';
import { sql } from 'kysely';
import type { Response } from 'light-my-request';
import { type EscrowApi, type Method, startEscrowApi } from '../support/escrow-api';
import {
  type EscrowEventRow,
  type LedgerFold,
  balanceMismatches,
  foldEscrowEvents,
  foldProblems,
  isAssetAccount,
  statusBalances,
} from '../support/ledger-fold';
import { committedHead } from '../support/caught-up';
import { storedEvents } from '../support/stored-events';

type Currency = 'USD' | 'JPY' | 'KWD';
const SCALES: Record<Currency, number> = { USD: 2, JPY: 0, KWD: 3 };

interface RunSpec {
  seed: number;
  currency: Currency;
  /** Why a pinned run is kept: the bug its seed showed. */
  pinned?: string;
  /**
   * Usage spends (allowed payees, spends at their limits) among the operations. Off for runs
   * pinned before spends existed, so their seeds still draw the operations that showed the bug.
   */
  spends?: boolean;
}

/** The default runs: mostly USD, at least one at scale 0 and one at scale 3. */
const DEFAULT_RUNS: RunSpec[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => ({ seed, currency: 'USD' as const })),
  { seed: 10, currency: 'JPY' },
  { seed: 11, currency: 'KWD' },
  { seed: 12, currency: 'JPY' },
];

/** Seeds that showed a bug, kept as extra cases. */
const PINNED_RUNS: RunSpec[] = [
  {
    // #9 a deposit the PSP does not answer stays PENDING; #13 its replay under the same key gets
    // the PSP's `pending` answer with a reference, which the service drops ("ref none"); the
    // PSP's deposit.confirmed for that reference then parks forever: the PSP holds 461.05 that
    // the ledger's psp:cash never shows, and the deposit stays PENDING after the escrow closed.
    seed: 145,
    currency: 'USD',
    spends: false,
    pinned:
      'a replayed deposit drops the reference of a PSP that confirms later, so its money never reaches the ledger',
  },
];

/**
 * The runs to do: the default and pinned ones, or what LEDGER_PROPERTY_SEED names (one seed to
 * replay, or `a-b` / `a,b,c` to explore more), in LEDGER_PROPERTY_CURRENCY if given.
 */
function runsToDo(): RunSpec[] {
  const raw = process.env.LEDGER_PROPERTY_SEED;
  if (!raw) return [...DEFAULT_RUNS, ...PINNED_RUNS];
  const seeds = raw.split(',').flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range)
      return Array.from(
        { length: Number(range[2]) - Number(range[1]) + 1 },
        (_x, i) => Number(range[1]) + i,
      );
    if (!/^\d+$/.test(part.trim()))
      throw new Error(`LEDGER_PROPERTY_SEED must be n, a-b or a,b,c, not ${raw}`);
    return [Number(part)];
  });
  const wanted = process.env.LEDGER_PROPERTY_CURRENCY as Currency | undefined;
  if (wanted && !(wanted in SCALES))
    throw new Error(`LEDGER_PROPERTY_CURRENCY must be one of ${Object.keys(SCALES).join(', ')}`);
  return seeds.map((seed) => {
    const known = [...DEFAULT_RUNS, ...PINNED_RUNS].find((r) => r.seed === seed);
    return {
      seed,
      currency: wanted ?? known?.currency ?? 'USD',
      ...(known?.spends === false ? { spends: false } : {}),
    };
  });
}

const OPS_MIN = 25;
const OPS_MAX = 40;
const CHECK_EVERY_OPS = 10;
const PROJECTION_WAIT_MS = 10_000;
const PSP_ANSWER_TIMEOUT_MS = 20;
const PAST_DEADLINE = '2001-01-01T00:00:00Z';
const FUTURE_DEADLINE = '2099-12-31T00:00:00Z';

/** mulberry32: a tiny 32-bit PRNG, enough to replay a run from its seed. */
class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const live = items.filter(([, w]) => w > 0);
    const total = live.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [item, w] of live) {
      x -= w;
      if (x < 0) return item;
    }
    return live[live.length - 1]![0];
  }
}

type PspMode = 'accept' | 'fail' | 'timeout' | 'silent';
type Summary = Record<string, any>;

interface Party {
  id: string;
  key: string;
}

interface RunEscrow {
  label: string;
  id: string;
  nextSeq: number;
  /** Deposits recorded (answered 200), to replay under the same Idempotency-Key. */
  deposits: { key: string; amount: string; id: string }[];
  /** Payees allowed for usage spends. */
  payees: string[];
}

interface Run {
  spec: RunSpec;
  scale: number;
  rng: Rng;
  log: string[];
  client: Party;
  provider: Party;
  escrows: RunEscrow[];
  targetEscrows: number;
  /** Webhook bodies sent, to deliver one again (a duplicate). */
  webhooks: Record<string, unknown>[];
  /** The webhook types sent for each PSP reference, in order (the reconciliation's oracle). */
  webhookTypes: Map<string, string[]>;
  tag: string;
  counter: number;
  /** How far the run is, 0..1: closing an escrow gets likelier as it goes. */
  progress: number;
  /** Operations running concurrently: the PSP stays in `accept` (its mode is process-wide). */
  inBurst: boolean;
}

/** An answer the rules allow: the success status, or 409 with one of these codes. */
interface Allowed {
  ok: number | number[];
  conflicts?: string[];
}

// ---------------------------------------------------------------------------------------------
// The fold, checked on events made by hand before it is trusted with the real ones.

describe('the independent ledger fold', () => {
  const E = '00000000-0000-4000-8000-0000000000e1';
  const P = 'provider-1';
  const C = 'client-1';
  const ev = (type: string, data: Record<string, unknown>): EscrowEventRow => ({
    streamId: `escrow-${E}`,
    type,
    data: { escrowId: E, currency: 'USD', ...data },
  });
  const pay = (paymentId: string, kind: string, amount: string, beneficiaryId: string) => ({
    paymentId,
    kind,
    amount,
    beneficiaryId,
    milestoneId: null,
  });
  const p1 = pay('p1', 'payout', '30.00', P);
  const p2 = pay('p2', 'payout', '30.00', P);
  const p3 = pay('p3', 'refund', '70.00', C);
  const p4 = pay('p4', 'refund', '5.00', C);
  /** Deposits, a payout failed after sending and retried, a declined refund, a late deposit. */
  const good = (): EscrowEventRow[] => [
    ev('escrow.created.v1', { clientId: C, providerId: P, amountTotal: '100.00', scale: 2 }),
    ev('escrow.deposit_confirmed.v1', {
      depositId: 'd1',
      amount: '60.00',
      heldAfter: '60.00',
      afterClose: false,
    }),
    ev('escrow.deposit_confirmed.v1', {
      depositId: 'd2',
      amount: '40.00',
      heldAfter: '100.00',
      afterClose: false,
    }),
    ev('escrow.funded.v1', { amountTotal: '100.00' }),
    ev('payment.initiated.v1', { ...p1, retryOf: null, heldAfter: '70.00' }),
    ev('payment.sent.v1', { ...p1, pspRef: 'r1' }),
    ev('payment.failed.v1', { ...p1, afterSent: true }),
    ev('payment.retried.v1', { paymentId: 'p1', retryPaymentId: 'p2' }),
    ev('payment.initiated.v1', { ...p2, retryOf: 'p1', heldAfter: '70.00' }),
    ev('payment.sent.v1', { ...p2, pspRef: 'r2' }),
    ev('payment.settled.v1', { ...p2, pspRef: 'r2' }),
    ev('payment.initiated.v1', { ...p3, retryOf: null, heldAfter: '0.00' }),
    ev('escrow.refunded.v1', { refundTotal: '70.00' }),
    ev('payment.failed.v1', { ...p3, afterSent: false }),
    ev('escrow.deposit_confirmed.v1', {
      depositId: 'd3',
      amount: '5.00',
      heldAfter: '5.00',
      afterClose: true,
    }),
    ev('payment.initiated.v1', { ...p4, retryOf: null, depositId: 'd3', heldAfter: '0.00' }),
    ev('payment.sent.v1', { ...p4, pspRef: 'r4' }),
  ];
  const asStrings = (fold: LedgerFold) =>
    new Map([...fold.balances].map(([a, b]) => [a, b.toFixed(2)]));
  const tamper = (index: number, change: Record<string, unknown>) =>
    good().map((e, i) => (i === index ? { ...e, data: { ...(e.data as object), ...change } } : e));

  it('gives the balances §3 gives, and agrees with itself on consistent events', () => {
    const fold = foldEscrowEvents(good());
    expect(Object.fromEntries(asStrings(fold))).toEqual({
      'psp:cash:USD': '70.00',
      [`escrow:${E}:held:USD`]: '0.00',
      [`provider:${P}:payable:USD`]: '0.00',
      [`client:${C}:refundable:USD`]: '70.00',
    });
    expect(fold.entries).toBe(10);
    expect(fold.totals.get('USD')!.amount.toString()).toBe('305');
    expect(foldProblems(fold)).toEqual([]);
    const escrow = fold.escrows.get(E)!;
    expect(escrow).toMatchObject({ status: 'REFUNDED', terminal: true });
    expect(
      Object.fromEntries(Object.entries(statusBalances(escrow)).map(([k, v]) => [k, v.toString()])),
    ).toEqual({
      deposited: '105',
      paid: '30',
      refunded: '5',
      spent: '0',
      failed: '70',
      held: '0',
    });
    expect(balanceMismatches(fold, asStrings(fold))).toEqual([]);
  });

  it('catches a wrong posting that still balances debits with credits', () => {
    const fold = foldEscrowEvents(good());
    const stored = asStrings(fold);
    // 1.00 booked to the provider instead of the client: both credit-normal, the trial balance holds.
    stored.set(`client:${C}:refundable:USD`, '69.00');
    stored.set(`provider:${P}:payable:USD`, '1.00');
    expect(balanceMismatches(fold, stored)).toEqual([
      `provider:${P}:payable:USD: ledger 1.00, fold 0`,
      `client:${C}:refundable:USD: ledger 69.00, fold 70`,
    ]);
    const missing = asStrings(fold);
    missing.delete('psp:cash:USD');
    expect(balanceMismatches(fold, missing)).toEqual(['psp:cash:USD: ledger (none), fold 70']);
  });

  it('catches tampered events: a wrong amount, a wrong afterSent, a lost failure, an odd sent amount', () => {
    const stored = asStrings(foldEscrowEvents(good()));
    // The refund initiated for 60 while the decider said it left 0 held.
    const wrongAmount = foldEscrowEvents(tamper(11, { amount: '60.00' }));
    expect(foldProblems(wrongAmount)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('the last heldAfter says 0.00'),
        expect.stringContaining('REFUNDED but holds 10'),
      ]),
    );
    expect(balanceMismatches(wrongAmount, stored)).not.toEqual([]);
    // A failure after sending recorded as a decline: cash no longer matches the statuses.
    const notAfterSent = foldEscrowEvents(tamper(6, { afterSent: false }));
    expect(foldProblems(notAfterSent)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^psp:cash:USD: postings 40, deposits − sent 40, from statuses 70$/),
      ]),
    );
    // The failure lost: the retry's send takes the provider's payable below zero.
    const lost = foldEscrowEvents(good().filter((_e, i) => i !== 6));
    expect(foldProblems(lost)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `negative balance after payment.sent.v1 on escrow-${E}: provider:${P}:payable:USD at -30`,
        ),
      ]),
    );
    // A sent event whose amount differs from its payment's.
    const oddSent = foldEscrowEvents(tamper(16, { amount: '25.00' }));
    expect(foldProblems(oddSent)).toEqual(
      expect.arrayContaining([expect.stringContaining('from statuses 70')]),
    );
    expect(balanceMismatches(oddSent, stored)).toEqual(
      expect.arrayContaining([expect.stringContaining('psp:cash:USD: ledger 70.00, fold 50')]),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The property runs.

describe('the ledger under random escrow operations', () => {
  let api: EscrowApi;

  beforeAll(async () => {
    // No scheduler: nothing but the run's own operations moves money, so a seed replays.
    api = await startEscrowApi({ SCHEDULER_ENABLED: 'false' });
  });
  afterAll(() => api.close());

  // -- money at scale --------------------------------------------------------------------------

  const fmt = (minor: number, scale: number): string => {
    const digits = String(minor).padStart(scale + 1, '0');
    return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  };
  /** The same amount written shorter when it can be ("12.50" → "12.5"), as some clients send it. */
  const short = (amount: string): string =>
    amount.includes('.') ? amount.replace(/0+$/, '').replace(/\.$/, '') : amount;
  const minorOf = (amount: string, scale: number): number =>
    new Big(amount).times(new Big(10).pow(scale)).toNumber();

  // -- HTTP ------------------------------------------------------------------------------------

  async function send(
    method: Method,
    url: string,
    key: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response> {
    const res = await api.call(method, url, key, body, headers);
    if (res.statusCode >= 500)
      throw new Error(`${method} ${url} answered ${res.statusCode} (a 5xx is a bug): ${res.body}`);
    return res;
  }

  /** Checks the answer is one the rules allow; returns a short text for the log. */
  function allowed(res: Response, rule: Allowed, what: string): string {
    const pending = res.headers['x-projection-pending'] ? ' (projection pending)' : '';
    if ([rule.ok].flat().includes(res.statusCode)) return `${res.statusCode}${pending}`;
    const code = (() => {
      try {
        return res.json()?.error?.code as string | undefined;
      } catch {
        return undefined;
      }
    })();
    if (res.statusCode === 409 && code && rule.conflicts?.includes(code)) return `409 ${code}`;
    throw new Error(
      `${what}: answered ${res.statusCode} ${res.body}, the rules allow ${rule.ok} or 409 ${JSON.stringify(rule.conflicts ?? [])}`,
    );
  }

  /** Set while a burst runs: withPsp leaves the simulator as it is (in `accept`, `sync`). */
  let bursting = false;

  /** Runs one call with the simulator in `mode` (a short answer timeout), then restores it. */
  async function withPsp<T>(
    mode: PspMode,
    collections: 'sync' | 'webhook',
    work: () => Promise<T>,
  ): Promise<T> {
    const psp = api.t.platform.psp;
    if (bursting) return work();
    const before = {
      mode: psp.mode,
      collections: psp.collections,
      answerTimeoutMs: psp.answerTimeoutMs,
    };
    psp.mode = mode;
    psp.collections = collections;
    psp.answerTimeoutMs = PSP_ANSWER_TIMEOUT_MS;
    try {
      return await work();
    } finally {
      Object.assign(psp, before);
    }
  }

  async function newParty(role: string, tag: string): Promise<Party> {
    const name = `${role}-${tag}`;
    const user = await send('POST', '/users', api.keys.admin, {
      username: name,
      email: `${name}@example.org`,
    });
    expect(user.statusCode).toBe(201);
    const key = await send('POST', '/apikeys', api.keys.admin, {
      name,
      scope: 'sender',
      user_id: user.json().id,
    });
    expect(key.statusCode).toBe(201);
    return { id: user.json().id, key: key.json().key };
  }

  async function summaries(run: Run): Promise<Map<RunEscrow, Summary>> {
    const out = new Map<RunEscrow, Summary>();
    for (const e of run.escrows) {
      const res = await send('GET', `/escrows/${e.id}/summary`, api.keys.admin);
      if (res.statusCode !== 200)
        throw new Error(`summary of ${e.label}: ${res.statusCode} ${res.body}`);
      out.set(e, res.json());
    }
    return out;
  }

  const short8 = (id: string | null | undefined) => (id ? id.slice(-8) : '-');
  const TERMINAL = ['RELEASED', 'REFUNDED', 'CANCELLED'];

  function pickMode(run: Run): PspMode {
    const mode = run.rng.weighted<PspMode>([
      ['accept', 70],
      ['fail', 14],
      ['timeout', 6],
      ['silent', 10],
    ]);
    return run.inBurst ? 'accept' : mode;
  }

  /** An escrow of the run: mostly one that `likely` accepts (by default: any open one). */
  function pickEscrow(
    run: Run,
    snap: Map<RunEscrow, Summary>,
    likely?: (s: Summary) => boolean,
  ): RunEscrow {
    const open = run.escrows.filter((e) => !TERMINAL.includes(snap.get(e)!.escrow.status));
    const good = likely ? open.filter((e) => likely(snap.get(e)!)) : open;
    if (good.length > 0 && run.rng.chance(0.85)) return run.rng.pick(good);
    return open.length > 0 && run.rng.chance(0.6) ? run.rng.pick(open) : run.rng.pick(run.escrows);
  }

  const minorSum = (items: { amount: string }[], scale: number) =>
    items.reduce((acc, x) => acc + minorOf(x.amount, scale), 0);
  /** What a deposit may still bring: the total less confirmed and pending deposits. */
  const depositRoom = (s: Summary, scale: number) =>
    minorOf(s.escrow.amount_total, scale) -
    minorSum(
      (s.deposits as { status: string; amount: string }[]).filter(
        (d) => d.status === 'CONFIRMED' || d.status === 'PENDING',
      ),
      scale,
    );
  const milestoneRoom = (s: Summary, scale: number) =>
    minorOf(s.escrow.amount_total, scale) - minorSum(s.milestones, scale);
  const takesMilestones = (s: Summary, scale: number) =>
    ['DRAFT', 'FUNDED'].includes(s.escrow.status) &&
    milestoneRoom(s, scale) > 0 &&
    !(s.payments as { kind: string }[]).some((p) => p.kind === 'payout');

  function allPayments(snap: Map<RunEscrow, Summary>): { e: RunEscrow; p: Record<string, any> }[] {
    return [...snap].flatMap(([e, s]) =>
      (s.payments as Record<string, any>[]).map((p) => ({ e, p })),
    );
  }

  function allDeposits(snap: Map<RunEscrow, Summary>): { e: RunEscrow; d: Record<string, any> }[] {
    return [...snap].flatMap(([e, s]) =>
      (s.deposits as Record<string, any>[]).map((d) => ({ e, d })),
    );
  }

  // -- operations ------------------------------------------------------------------------------
  // Each takes the run and a fresh snapshot of its escrows' summaries and returns its log line.

  type Op = (run: Run, snap: Map<RunEscrow, Summary>) => Promise<string>;

  const create: Op = async (run) => {
    const { rng, scale } = run;
    const total = fmt(rng.int(5 * 10 ** scale, 500 * 10 ** scale), scale);
    const onDeadline = rng.pick(['release', 'refund', 'none', null]);
    const past = rng.chance(0.3);
    const res = await send('POST', '/escrows', run.client.key, {
      client_id: run.client.id,
      provider_id: run.provider.id,
      amount_total: total,
      currency: run.spec.currency,
      release_conditions: onDeadline ? { on_deadline: onDeadline } : {},
      deadline_at: past ? PAST_DEADLINE : FUTURE_DEADLINE,
    });
    const label = `E${run.escrows.length + 1}`;
    const answer = allowed(res, { ok: 201 }, `create ${label}`);
    run.escrows.push({ label, id: res.json().id, nextSeq: 1, deposits: [], payees: [] });
    return `create ${label} ${short8(res.json().id)} total ${total}, on_deadline ${onDeadline ?? '(default)'}, deadline ${past ? 'past' : 'future'} → ${answer}`;
  };

  const addMilestone: Op = async (run, snap) => {
    const { rng, scale } = run;
    const e = pickEscrow(run, snap, (x) => takesMilestones(x, scale));
    const s = snap.get(e)!;
    const total = minorOf(s.escrow.amount_total, scale);
    const room = milestoneRoom(s, scale);
    const minor =
      room > 0
        ? rng.weighted<number>([
            [rng.int(1, room), 6],
            [room, 2],
            [rng.int(1, total), 2],
          ])
        : rng.int(1, total);
    const amount = fmt(minor, scale);
    const seq = e.nextSeq;
    e.nextSeq += rng.chance(0.2) ? 2 : 1;
    const res = await send('POST', `/escrows/${e.id}/milestones`, run.client.key, {
      label: `milestone ${seq}`,
      amount,
      currency: run.spec.currency,
      sequence_index: seq,
    });
    const answer = allowed(
      res,
      {
        ok: 201,
        conflicts: ['INVALID_STATE_TRANSITION', 'ESCROW_CLOSED', 'MILESTONE_TOTAL_EXCEEDED'],
      },
      `milestone on ${e.label}`,
    );
    return `milestone ${e.label} #${seq} ${amount} (room ${fmt(Math.max(room, 0), scale)}) → ${answer}${res.statusCode === 201 ? ` ${short8(res.json().id)}` : ''}`;
  };

  const deposit: Op = async (run, snap) => {
    const { rng, scale } = run;
    const e = pickEscrow(
      run,
      snap,
      (x) => x.escrow.status === 'DRAFT' && depositRoom(x, scale) > 0,
    );
    const s = snap.get(e)!;
    const total = minorOf(s.escrow.amount_total, scale);
    const left = depositRoom(s, scale);
    const minor =
      left > 0
        ? rng.weighted<number>([
            [left, 4],
            [rng.int(1, left), 3.5],
            [left + rng.int(1, total), 1.5],
            [rng.int(1, total), 1],
          ])
        : rng.int(1, total);
    const exact = fmt(minor, scale);
    const amount = rng.chance(0.15) ? short(exact) : exact;
    const mode = pickMode(run);
    const collections = mode === 'accept' && rng.chance(0.3) && !run.inBurst ? 'webhook' : 'sync';
    const key = `dep-${run.tag}-${++run.counter}`;
    const res = await withPsp(mode, collections, () =>
      send(
        'POST',
        `/escrows/${e.id}/deposit`,
        run.client.key,
        { amount },
        { 'idempotency-key': key },
      ),
    );
    const psp = `[psp ${mode}${collections === 'webhook' ? ', confirms by webhook' : ''}]`;
    const answer = allowed(
      res,
      { ok: 200, conflicts: ['DEPOSIT_EXCEEDS_TOTAL', 'ESCROW_CLOSED'] },
      `deposit ${amount} on ${e.label} ${psp}`,
    );
    let detail = '';
    if (res.statusCode === 200) {
      const d = res.json().deposit as { id: string; status: string; psp_ref: string | null };
      const expected =
        mode === 'fail'
          ? { status: 'FAILED', ref: false }
          : mode !== 'accept'
            ? { status: 'PENDING', ref: false }
            : collections === 'webhook'
              ? { status: 'PENDING', ref: true }
              : { status: 'CONFIRMED', ref: true };
      if (d.status !== expected.status || (d.psp_ref !== null) !== expected.ref) {
        throw new Error(
          `deposit ${amount} on ${e.label} ${psp}: deposit ${JSON.stringify(d)}, expected ${JSON.stringify(expected)}`,
        );
      }
      e.deposits.push({ key, amount, id: d.id });
      detail = ` deposit ${short8(d.id)} ${d.status}`;
    }
    return `deposit ${e.label} ${amount} (left ${fmt(Math.max(left, 0), scale)}) ${psp} → ${answer}${detail}`;
  };

  /**
   * The same deposit again under its Idempotency-Key (a client whose answer was lost): the first
   * answer, a PENDING one finished on the way. PENDING ones are replayed more often.
   */
  const depositAgain: Op = async (run, snap) => {
    const { rng } = run;
    const recorded = run.escrows.flatMap((e) => e.deposits.map((d) => ({ e, d })));
    const pendingIds = new Set(
      allDeposits(snap)
        .filter(({ d }) => d.status === 'PENDING')
        .map(({ d }) => d.id as string),
    );
    const pending = recorded.filter(({ d }) => pendingIds.has(d.id));
    const { e, d } =
      pending.length > 0 && rng.chance(0.75) ? rng.pick(pending) : rng.pick(recorded);
    const mode = pickMode(run);
    const collections = rng.chance(0.3) && !run.inBurst ? 'webhook' : 'sync';
    const res = await withPsp(mode, collections, () =>
      send(
        'POST',
        `/escrows/${e.id}/deposit`,
        run.client.key,
        { amount: d.amount },
        { 'idempotency-key': d.key },
      ),
    );
    const psp = `[psp ${mode}${collections === 'webhook' ? ', confirms by webhook' : ''}]`;
    const answer = allowed(res, { ok: 200 }, `deposit replay ${d.key} on ${e.label} ${psp}`);
    const got = res.json().deposit as { id: string; status: string; psp_ref: string | null };
    if (got.id !== d.id)
      throw new Error(
        `deposit replay ${d.key} on ${e.label} answered deposit ${got.id}, not ${d.id}`,
      );
    const before = pendingIds.has(d.id) ? 'PENDING' : 'done';
    return `deposit again ${e.label} ${short8(d.id)} ${d.amount} (${before}) ${psp} → ${answer} ${got.status} ref ${got.psp_ref ? 'known' : 'none'}`;
  };

  const release: Op = async (run, snap) => {
    const { rng } = run;
    const withMilestones = run.escrows.filter((x) => snap.get(x)!.milestones.length > 0);
    const open = withMilestones.filter((x) => !TERMINAL.includes(snap.get(x)!.escrow.status));
    const e = open.length > 0 && rng.chance(0.85) ? rng.pick(open) : rng.pick(withMilestones);
    const milestones = snap.get(e)!.milestones as {
      id: string;
      sequence_index: number;
      status: string;
    }[];
    const unpaid = milestones.filter((m) => m.status !== 'PAID');
    const m = unpaid.length > 0 && rng.chance(0.7) ? unpaid[0]! : rng.pick(milestones);
    const mode = pickMode(run);
    const res = await withPsp(mode, 'sync', () =>
      send('POST', `/escrows/milestones/${m.id}/release`, run.client.key),
    );
    const answer = allowed(
      res,
      { ok: 200, conflicts: ['SEQUENCE_ERROR', 'INSUFFICIENT_ESCROW_BALANCE', 'ESCROW_CLOSED'] },
      `release ${e.label} #${m.sequence_index} [psp ${mode}]`,
    );
    const detail =
      res.statusCode === 200
        ? ` payout ${short8(res.json().id)} ${res.json().amount} ${res.json().status}`
        : '';
    return `release ${e.label} #${m.sequence_index} (${m.status}) [psp ${mode}] → ${answer}${detail}`;
  };

  /** Support allows a payee on an escrow, with a daily limit, a total limit, both or none. */
  const allowPayee: Op = async (run, snap) => {
    const { rng, scale } = run;
    const e = pickEscrow(run, snap, (s) => !TERMINAL.includes(s.escrow.status));
    const total = minorOf(snap.get(e)!.escrow.amount_total, scale);
    const ref = `payee-${e.label}-${e.payees.length + 1}`;
    const limit = () => (rng.chance(0.5) ? fmt(rng.int(1, total), scale) : null);
    const body = {
      escrow_id: e.id,
      payee_ref: ref,
      label: `Payee ${ref}`,
      daily_limit: limit(),
      total_limit: limit(),
    };
    const res = await send('POST', '/spend/allowed', api.keys.support, body);
    const answer = allowed(res, { ok: 201, conflicts: ['ESCROW_CLOSED'] }, `allow ${ref}`);
    if (res.statusCode === 201) e.payees.push(ref);
    return `allow payee ${e.label} ${ref} daily ${body.daily_limit ?? '-'} total ${body.total_limit ?? '-'} → ${answer}`;
  };

  /**
   * The client spends to a payee (now and then one never allowed) out of what the escrow holds;
   * the PSP may decline or not answer (the spend stays owed, ERROR or PENDING).
   */
  const usageSpend: Op = async (run, snap) => {
    const { rng, scale } = run;
    const ready = run.escrows.filter(
      (x) => x.payees.length > 0 && !TERMINAL.includes(snap.get(x)!.escrow.status),
    );
    const e = ready.length > 0 && rng.chance(0.9) ? rng.pick(ready) : rng.pick(run.escrows);
    const held = minorOf(snap.get(e)!.balances.held, scale);
    const stranger = e.payees.length === 0 || rng.chance(0.1);
    const ref = stranger ? `nobody-${e.label}` : rng.pick(e.payees);
    const minor =
      held > 0
        ? rng.weighted<number>([
            [rng.int(1, held), 6],
            [held, 1],
            [held + rng.int(1, 10 ** scale), 1],
          ])
        : rng.int(1, 10 ** scale);
    const amount = fmt(minor, scale);
    const mode = pickMode(run);
    const key = `spend-${run.tag}-${++run.counter}`;
    const res = await withPsp(mode, 'sync', () =>
      send(
        'POST',
        '/spend',
        run.client.key,
        { escrow_id: e.id, payee_ref: ref, amount },
        { 'idempotency-key': key },
      ),
    );
    let answer: string;
    if (res.statusCode === 403 && res.json().error?.code === 'PAYEE_NOT_ALLOWED' && stranger)
      answer = '403 PAYEE_NOT_ALLOWED';
    else {
      answer = allowed(
        res,
        {
          ok: 200,
          conflicts: [
            'DAILY_LIMIT_REACHED',
            'TOTAL_LIMIT_REACHED',
            'INSUFFICIENT_ESCROW_BALANCE',
            'ESCROW_CLOSED',
          ],
        },
        `spend ${amount} to ${ref} on ${e.label}`,
      );
      if (stranger && res.statusCode === 200)
        throw new Error(`spend to ${ref}, never allowed, answered 200: ${res.body}`);
    }
    const detail =
      res.statusCode === 200 ? ` spend ${short8(res.json().payment_id)} ${res.json().status}` : '';
    return `spend ${e.label} ${ref} ${amount} (held ${fmt(held, scale)}) [psp ${mode}] → ${answer}${detail}`;
  };

  const paymentsOf = (res: Response) =>
    res.statusCode === 200
      ? ` ${res.json().status} ${(res.json().payments as Record<string, string>[]).map((p) => `${p.kind} ${short8(p.id)} ${p.amount} ${p.status}`).join(', ')}`
      : '';

  const clientApprove: Op = async (run, snap) => {
    const e = pickEscrow(run, snap, (s) => s.escrow.status !== 'DRAFT');
    const mode = pickMode(run);
    const res = await withPsp(mode, 'sync', () =>
      send('POST', `/escrows/${e.id}/client-approve`, run.client.key, {}),
    );
    const answer = allowed(
      res,
      { ok: 200, conflicts: ['INVALID_STATE_TRANSITION', 'ESCROW_CLOSED'] },
      `client-approve ${e.label}`,
    );
    if (res.statusCode === 200 && res.json().status !== 'RELEASED')
      throw new Error(`client-approve ${e.label}: ${res.body}`);
    return `client-approve ${e.label} (${snap.get(e)!.escrow.status}) [psp ${mode}] → ${answer}${paymentsOf(res)}`;
  };

  const clientReject: Op = async (run, snap) => {
    const e = pickEscrow(run, snap);
    const mode = pickMode(run);
    const res = await withPsp(mode, 'sync', () =>
      send('POST', `/escrows/${e.id}/client-reject`, run.client.key, {}),
    );
    const answer = allowed(
      res,
      { ok: 200, conflicts: ['ESCROW_CLOSED'] },
      `client-reject ${e.label}`,
    );
    if (res.statusCode === 200 && !['CANCELLED', 'REFUNDED'].includes(res.json().status))
      throw new Error(`client-reject ${e.label}: ${res.body}`);
    return `client-reject ${e.label} (${snap.get(e)!.escrow.status}) [psp ${mode}] → ${answer}${paymentsOf(res)}`;
  };

  const checkDeadline: Op = async (run, snap) => {
    const { rng } = run;
    const e = pickEscrow(run, snap, (s) => s.escrow.deadline_at < new Date().toISOString());
    const mode = pickMode(run);
    const who = rng.pick(['client', 'provider', 'support'] as const);
    const key =
      who === 'client' ? run.client.key : who === 'provider' ? run.provider.key : api.keys.support;
    const res = await withPsp(mode, 'sync', () =>
      send('POST', `/escrows/${e.id}/check-deadline`, key),
    );
    const answer = allowed(
      res,
      { ok: 200, conflicts: ['ESCROW_CLOSED'] },
      `check-deadline ${e.label}`,
    );
    return `check-deadline ${e.label} (${snap.get(e)!.escrow.status}) by ${who} [psp ${mode}] → ${answer}${paymentsOf(res)}`;
  };

  const markDelivered: Op = async (run, snap) => {
    const e = pickEscrow(run, snap, (s) => s.escrow.status === 'FUNDED');
    const res = await send('POST', `/escrows/${e.id}/mark-delivered`, run.provider.key, {});
    const answer = allowed(
      res,
      { ok: 200, conflicts: ['INVALID_STATE_TRANSITION', 'ESCROW_CLOSED'] },
      `mark-delivered ${e.label}`,
    );
    return `mark-delivered ${e.label} (${snap.get(e)!.escrow.status}) → ${answer}`;
  };

  async function webhook(run: Run, body: Record<string, unknown>, what: string): Promise<string> {
    const res = await api.webhook(body);
    if (res.statusCode >= 500)
      throw new Error(`webhook ${what} answered ${res.statusCode} (a 5xx is a bug): ${res.body}`);
    allowed(res, { ok: 200 }, `webhook ${what}`);
    if (res.json().ok !== 'true') throw new Error(`webhook ${what}: ${res.body}`);
    run.webhooks.push(body);
    const ref = body.psp_ref as string;
    run.webhookTypes.set(ref, [...(run.webhookTypes.get(ref) ?? []), body.type as string]);
    return `${res.statusCode} ${res.json().outcome}${res.json().duplicate ? ' duplicate' : ''}`;
  }

  /** Payment webhooks: on SENT payments, on closed ones, on PENDING ones whose answer was lost. */
  const paymentWebhook: Op = async (run, snap) => {
    const { rng } = run;
    const psp = api.t.platform.psp;
    const payments = allPayments(snap);
    const sent = payments.filter(({ p }) => p.status === 'SENT');
    const done = payments.filter(
      ({ p }) => (p.status === 'SETTLED' || p.status === 'ERROR') && p.psp_ref,
    );
    const lost = payments.filter(({ p }) => p.status === 'PENDING' && psp.outcomeOf(p.id));
    const group = rng.weighted<string>([
      ['sent', sent.length ? 6 : 0],
      ['lost', lost.length ? 2 : 0],
      ['done', done.length ? 1 : 0],
      ['duplicate', run.webhooks.length ? 1 : 0],
    ]);
    if (group === 'duplicate') {
      const body = rng.pick(run.webhooks);
      return `webhook again ${body.type} ${body.event_id} → ${await webhook(run, body, `again ${body.event_id}`)}`;
    }
    const { e, p } = rng.pick(group === 'sent' ? sent : group === 'lost' ? lost : done);
    const type = rng.chance(0.45) ? 'payment.failed' : 'payment.settled';
    const ref = (p.psp_ref as string | null) ?? psp.outcomeOf(p.id)!.pspRef;
    const body = { event_id: `evt-${run.tag}-${++run.counter}`, type, psp_ref: ref };
    return `webhook ${type} ${e.label} ${p.kind} ${short8(p.id)} (${p.status}${group === 'lost' ? ', answer lost' : ''}) → ${await webhook(run, body, `${type} ${p.id}`)}`;
  };

  /** Deposit webhooks: confirming or failing PENDING deposits, whatever the escrow's state now. */
  const depositWebhook: Op = async (run, snap) => {
    const { rng } = run;
    const psp = api.t.platform.psp;
    const deposits = allDeposits(snap);
    const waiting = deposits.filter(({ d }) => d.status === 'PENDING' && d.psp_ref);
    const lost = deposits.filter(
      ({ d }) => d.status === 'PENDING' && !d.psp_ref && psp.outcomeOf(d.id),
    );
    const done = deposits.filter(({ d }) => d.status !== 'PENDING' && d.psp_ref);
    const group = rng.weighted<string>([
      ['waiting', waiting.length ? 6 : 0],
      ['lost', lost.length ? 2 : 0],
      ['done', done.length ? 1 : 0],
    ]);
    const { e, d } = rng.pick(group === 'waiting' ? waiting : group === 'lost' ? lost : done);
    const type = rng.chance(0.8) ? 'deposit.confirmed' : 'deposit.failed';
    const ref = (d.psp_ref as string | null) ?? psp.outcomeOf(d.id)!.pspRef;
    // The PSP states what it collected: the amount and currency asked for.
    const body = {
      event_id: `evt-${run.tag}-${++run.counter}`,
      type,
      psp_ref: ref,
      amount: d.amount,
      currency: snap.get(e)!.escrow.currency,
    };
    const status = snap.get(e)!.escrow.status;
    // A confirmation after the close starts a refund: the PSP may fail or not answer it.
    const mode = pickMode(run);
    const answer = await withPsp(mode, 'sync', () => webhook(run, body, `${type} ${d.id}`));
    return `webhook ${type} ${e.label} (${status}) deposit ${short8(d.id)} ${d.amount} (${d.status}${group === 'lost' ? ', answer lost' : ''}) [psp ${mode}] → ${answer}`;
  };

  const execute: Op = async (run, snap) => {
    const { rng } = run;
    const payments = allPayments(snap);
    const pending = payments.filter(({ p }) => p.status === 'PENDING');
    const { e, p } =
      pending.length > 0 && rng.chance(0.85) ? rng.pick(pending) : rng.pick(payments);
    const mode = pickMode(run);
    const res = await withPsp(mode, 'sync', () =>
      send('POST', `/payments/execute/${p.id}`, api.keys.support),
    );
    // In a burst the payment may have failed since the snapshot.
    const mayFail = p.status === 'ERROR' || run.inBurst;
    const answer = allowed(
      res,
      { ok: 200, conflicts: mayFail ? ['INVALID_STATE_TRANSITION'] : [] },
      `execute ${p.id} (${p.status})`,
    );
    return `execute ${e.label} ${p.kind} ${short8(p.id)} (${p.status}) [psp ${mode}] → ${answer}${res.statusCode === 200 ? ` ${res.json().status}` : ''}`;
  };

  const retry: Op = async (run, snap) => {
    const { rng } = run;
    const payments = allPayments(snap);
    const failed = payments.filter(({ p }) => p.status === 'ERROR');
    const { e, p } = failed.length > 0 && rng.chance(0.85) ? rng.pick(failed) : rng.pick(payments);
    const mode = pickMode(run);
    const res = await withPsp(mode, 'sync', () =>
      send('POST', `/payments/${p.id}/retry`, api.keys.support),
    );
    // ERROR (failed): a new payment (201); SENT/SETTLED: answered unchanged (200); PENDING: 409 (execute
    // it). In a burst the payment may have moved since the snapshot.
    const rule: Allowed = run.inBurst
      ? { ok: [200, 201], conflicts: ['INVALID_STATE_TRANSITION'] }
      : p.status === 'ERROR'
        ? { ok: 201 }
        : p.status === 'PENDING'
          ? { ok: [], conflicts: ['INVALID_STATE_TRANSITION'] }
          : { ok: 200 };
    const answer = allowed(res, rule, `retry ${p.id} (${p.status})`);
    if (res.statusCode === 201 && res.json().retry_of !== p.id)
      throw new Error(`retry ${p.id}: ${res.body}`);
    if (res.statusCode === 200 && res.json().id !== p.id)
      throw new Error(`retry ${p.id} answered another payment: ${res.body}`);
    const detail =
      res.statusCode === 201 ? ` retry ${short8(res.json().id)} ${res.json().status}` : '';
    return `retry ${e.label} ${p.kind} ${short8(p.id)} (${p.status}) [psp ${mode}] → ${answer}${detail}`;
  };

  /**
   * Two or three operations at once (the same escrow or others): answers must stay within the
   * rules and the ledger must still fold from the events. The PSP stays in `accept` meanwhile.
   * Every operation draws its choices before its first await, so a seed still replays.
   */
  const burst: Op = async (run, snap) => {
    const count = run.rng.int(2, 3);
    run.inBurst = true;
    bursting = true;
    try {
      const chosen: [string, Op][] = [];
      for (let j = 0; j < count; j++) chosen.push(nextOp(run, snap));
      const running = chosen.map(([name, op]) => op(run, snap).then((line) => `[${name}] ${line}`));
      const settled = await Promise.allSettled(running);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        const err = failed.reason as Error;
        err.message = `in a burst of ${chosen.map(([name]) => name).join(', ')}: ${err.message}`;
        throw err;
      }
      return `burst of ${count}:\n      ${settled.map((r) => (r as PromiseFulfilledResult<string>).value).join('\n      ')}`;
    } finally {
      run.inBurst = false;
      bursting = false;
    }
  };

  /** The operations and their weights, given what the run has now. */
  function nextOp(run: Run, snap: Map<RunEscrow, Summary>): [string, Op] {
    const psp = api.t.platform.psp;
    const payments = allPayments(snap);
    const deposits = allDeposits(snap);
    const summaries = [...snap.values()];
    const n = run.escrows.length;
    const open = summaries.filter((s) => !TERMINAL.includes(s.escrow.status)).length;
    const has = (b: boolean, w: number) => (b ? w : 0);
    // Closing an escrow early leaves the rest of the run little to do: likelier as it goes.
    const closing = 0.3 + run.progress;
    const candidates: [string, Op, number][] = [
      [
        'create',
        create,
        run.inBurst ? 0 : n < 2 ? 1000 : has(n < run.targetEscrows, open < 2 ? 6 : 1.5),
      ],
      [
        'milestone',
        addMilestone,
        has(n > 0, summaries.some((s) => takesMilestones(s, run.scale)) ? 2.5 : 0.4),
      ],
      [
        'deposit',
        deposit,
        has(
          n > 0,
          summaries.some((s) => s.escrow.status === 'DRAFT' && depositRoom(s, run.scale) > 0)
            ? 6
            : 1,
        ),
      ],
      [
        'deposit-again',
        depositAgain,
        has(
          run.escrows.some((e) => e.deposits.length > 0),
          deposits.some(({ d }) => d.status === 'PENDING') ? 2 : 0.5,
        ),
      ],
      [
        'release',
        release,
        summaries.some(
          (s) =>
            !TERMINAL.includes(s.escrow.status) &&
            (s.milestones as { status: string }[]).some((m) => m.status !== 'PAID'),
        )
          ? 5
          : has(
              summaries.some((s) => s.milestones.length > 0),
              0.7,
            ),
      ],
      ['client-approve', clientApprove, has(n > 0, 1.5 * closing)],
      ['client-reject', clientReject, has(n > 0, 1 * closing)],
      ['check-deadline', checkDeadline, has(n > 0, 1.5 * closing)],
      ['mark-delivered', markDelivered, has(n > 0, 1)],
      [
        'payment-webhook',
        paymentWebhook,
        has(
          payments.some(({ p }) => p.psp_ref || (p.status === 'PENDING' && psp.outcomeOf(p.id))),
          3,
        ),
      ],
      [
        'deposit-webhook',
        depositWebhook,
        deposits.some(({ d }) => d.status === 'PENDING' && (d.psp_ref || psp.outcomeOf(d.id)))
          ? 3
          : has(
              deposits.some(({ d }) => d.psp_ref),
              0.3,
            ),
      ],
      [
        'execute',
        execute,
        has(
          payments.some(({ p }) => p.status === 'PENDING'),
          2,
        ),
      ],
      [
        'retry',
        retry,
        has(
          payments.some(({ p }) => p.status === 'ERROR'),
          2.5,
        ),
      ],
      ['burst', burst, has(n >= 2 && !run.inBurst, 1.2)],
    ];
    if (run.spec.spends !== false) {
      const anyOpen = summaries.some((s) => !TERMINAL.includes(s.escrow.status));
      const withPayees = run.escrows.some(
        (e) => e.payees.length > 0 && !TERMINAL.includes(snap.get(e)!.escrow.status),
      );
      candidates.push(
        ['allow-payee', allowPayee, has(anyOpen, withPayees ? 0.7 : 2.5)],
        ['spend', usageSpend, has(withPayees, 6)],
      );
    }
    const name = run.rng.weighted(candidates.map(([name, , w]) => [name, w] as const));
    return [name, candidates.find(([n2]) => n2 === name)![1]];
  }

  /**
   * The end of a run, as a patient client and PSP would finish it: every PENDING deposit is
   * asked for again under its key, every collection the PSP left pending is confirmed by its
   * webhook, every PENDING payment is executed. The PSP answers normally throughout.
   */
  async function settle(run: Run): Promise<void> {
    const psp = api.t.platform.psp;
    let snap = await summaries(run);
    for (const { e, d } of allDeposits(snap).filter(({ d }) => d.status === 'PENDING')) {
      const mine = e.deposits.find((x) => x.id === d.id)!;
      const res = await withPsp('accept', 'sync', () =>
        send(
          'POST',
          `/escrows/${e.id}/deposit`,
          run.client.key,
          { amount: mine.amount },
          { 'idempotency-key': mine.key },
        ),
      );
      const answer = allowed(res, { ok: 200 }, `settle: deposit replay ${mine.key} on ${e.label}`);
      run.log.push(
        `settle: deposit again ${e.label} ${short8(d.id)} ${d.amount} → ${answer} ${res.json().deposit.status}`,
      );
    }
    snap = await summaries(run);
    for (const { e, d } of allDeposits(snap)) {
      const outcome = psp.outcomeOf(d.id);
      if (!outcome || outcome.status !== 'pending' || run.webhookTypes.has(outcome.pspRef))
        continue;
      const body = {
        event_id: `evt-${run.tag}-${++run.counter}`,
        type: 'deposit.confirmed',
        psp_ref: outcome.pspRef,
        amount: d.amount,
        currency: snap.get(e)!.escrow.currency,
      };
      const answer = await withPsp('accept', 'sync', () =>
        webhook(run, body, `settle: deposit.confirmed ${d.id}`),
      );
      run.log.push(
        `settle: webhook deposit.confirmed ${e.label} deposit ${short8(d.id)} ${d.amount} (${d.status}) → ${answer}`,
      );
    }
    snap = await summaries(run);
    for (const { e, p } of allPayments(snap).filter(({ p }) => p.status === 'PENDING')) {
      const res = await withPsp('accept', 'sync', () =>
        send('POST', `/payments/execute/${p.id}`, api.keys.support),
      );
      const answer = allowed(res, { ok: 200 }, `settle: execute ${p.id}`);
      run.log.push(
        `settle: execute ${e.label} ${p.kind} ${short8(p.id)} → ${answer} ${res.json().status}`,
      );
    }
  }

  /**
   * The PSP simulator as the outside witness: every collection it confirmed (synchronously, or
   * by the deposit.confirmed webhook it sent first) is a confirmed deposit with its reference,
   * and nothing else is; every transfer it made is a payment SENT or SETTLED with its reference
   * (or ERROR by its payment.failed webhook), and no payment is sent that it did not make. The
   * cash it holds for the run's escrows is what the ledger's entries on psp:cash say.
   */
  async function reconciliationProblems(run: Run): Promise<string[]> {
    const psp = api.t.platform.psp;
    const problems: string[] = [];
    const snap = await summaries(run);
    let pspCash = new Big(0);
    for (const { e, d } of allDeposits(snap)) {
      const outcome = psp.outcomeOf(d.id);
      const first = outcome
        ? run.webhookTypes.get(outcome.pspRef)?.find((t) => t.startsWith('deposit.'))
        : undefined;
      const collected =
        outcome !== undefined && (outcome.status === 'confirmed' || first === 'deposit.confirmed');
      const counted = d.status === 'CONFIRMED' || d.status === 'REFUNDED';
      if (collected) pspCash = pspCash.plus(d.amount);
      const what = `${e.label} deposit ${short8(d.id)} ${d.amount}`;
      if (collected && !counted) {
        problems.push(
          `${what}: the PSP collected it (${outcome!.status}${first ? `, then ${first} sent` : ''}, ref ${outcome!.pspRef}) but it is ${d.status} with psp_ref ${d.psp_ref}`,
        );
      } else if (!collected && counted) {
        problems.push(
          `${what}: ${d.status} but the PSP never confirmed it (${outcome ? `${outcome.status}, ${first ?? 'no webhook'}` : 'no collection'})`,
        );
      } else if (collected && d.psp_ref !== outcome!.pspRef) {
        problems.push(`${what}: psp_ref ${d.psp_ref}, the PSP's is ${outcome!.pspRef}`);
      }
    }
    for (const { e, p } of allPayments(snap)) {
      const outcome = psp.outcomeOf(p.id);
      const what = `${e.label} ${p.kind} ${short8(p.id)} ${p.amount} ${p.status}`;
      const types = outcome ? (run.webhookTypes.get(outcome.pspRef) ?? []) : [];
      if (p.status === 'PENDING') problems.push(`${what}: still PENDING after it was executed`);
      if (!outcome) {
        if (p.status !== 'ERROR' && p.status !== 'PENDING')
          problems.push(`${what}: the PSP never made this transfer`);
        continue;
      }
      if (p.psp_ref !== outcome.pspRef)
        problems.push(`${what}: psp_ref ${p.psp_ref}, the PSP's is ${outcome.pspRef}`);
      if (p.status === 'ERROR' && !types.includes('payment.failed'))
        problems.push(`${what}: the PSP made it and never reported a failure`);
      if (p.status === 'SETTLED' && !types.includes('payment.settled'))
        problems.push(`${what}: SETTLED with no payment.settled webhook`);
      if (p.status !== 'ERROR') pspCash = pspCash.minus(p.amount);
    }
    const ids = run.escrows.map((e) => e.id);
    const cash = `psp:cash:${run.spec.currency}`;
    const rows = await api.t.platform.db
      .selectFrom('ledger_entries')
      .select(['debit_account', 'credit_account', 'amount'])
      .where('escrow_id', 'in', ids)
      .where((eb) => eb.or([eb('debit_account', '=', cash), eb('credit_account', '=', cash)]))
      .execute();
    const ledgerCash = rows.reduce(
      (acc, r) => (r.debit_account === cash ? acc.plus(r.amount) : acc.minus(r.amount)),
      new Big(0),
    );
    if (!ledgerCash.eq(pspCash)) {
      problems.push(
        `${cash} moved ${ledgerCash.toString()} for this run's escrows; the PSP holds ${pspCash.toString()} for them`,
      );
    }
    return problems.map((p) => `reconciliation: ${p}`);
  }

  // -- the ledger against the fold -------------------------------------------------------------

  async function ledgerProblems(run: Run): Promise<string[]> {
    const { platform } = api.t;
    const head = await committedHead(platform);
    const problems: string[] = [];
    if (head && !(await platform.projections.waitFor(head, PROJECTION_WAIT_MS))) {
      problems.push('the projections did not reach the head of the store (a projector halted?)');
    }
    const health = (await send('GET', '/health', null)).json();
    if (health.halted_projectors?.length)
      problems.push(
        `halted projectors: ${JSON.stringify(health.halted_projectors)} ${JSON.stringify(health.projections)}`,
      );

    const rows = (await storedEvents(platform)).filter((e) => e.streamId.startsWith('escrow-'));
    const fold = foldEscrowEvents(
      rows.map((r) => ({ streamId: r.streamId, type: r.type, data: r.data })),
    );
    problems.push(...foldProblems(fold).map((p) => `fold: ${p}`));

    // Every account in the table, on its normal side, against the fold.
    const accounts = await platform.db
      .selectFrom('ledger_accounts')
      .select(['account', 'normal_side', 'debits', 'credits'])
      .execute();
    const stored = new Map<string, string>();
    for (const a of accounts) {
      const account = a.account as string;
      const side = isAssetAccount(account) ? 'debit' : 'credit';
      if (a.normal_side !== side)
        problems.push(`${account}: normal side ${a.normal_side}, expected ${side}`);
      const balance =
        a.normal_side === 'debit'
          ? new Big(a.debits).minus(a.credits)
          : new Big(a.credits).minus(a.debits);
      if (balance.lt(0))
        problems.push(`${account}: negative on its normal side (${balance.toString()})`);
      stored.set(account, balance.toString());
    }
    problems.push(...balanceMismatches(fold, stored));
    const entries = Number(
      (
        await sql<{ n: string }>`SELECT count(*)::text AS n FROM ledger_entries`.execute(
          platform.db,
        )
      ).rows[0]!.n,
    );
    if (entries !== fold.entries)
      problems.push(`ledger_entries holds ${entries} entries, the fold posts ${fold.entries}`);

    // The trial balance: debits = credits per currency, as the fold's journal totals.
    const trial = await send('GET', '/ledger/trial-balance', api.keys.auditor);
    const expectedTrial = [...fold.totals]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([currency, t]) => {
        const amount = t.amount.toFixed(fold.scales.get(currency)!);
        return { currency, debits: amount, credits: amount, balanced: true, entries: t.entries };
      });
    if (JSON.stringify(trial.json()) !== JSON.stringify({ items: expectedTrial })) {
      problems.push(
        `trial balance ${trial.body}, the fold gives ${JSON.stringify({ items: expectedTrial })}`,
      );
    }

    // Through the routes: the run's escrows, cash, and its parties' payables.
    const scale = run.scale;
    const cur = run.spec.currency;
    const at = (b: Big | undefined) => (b ?? new Big(0)).toFixed(scale);
    const accountBalance = async (account: string): Promise<string | null> => {
      const res = await send(
        'GET',
        `/ledger/accounts/${encodeURIComponent(account)}?limit=1`,
        api.keys.support,
      );
      if (res.statusCode === 404) return null;
      if (res.statusCode !== 200)
        throw new Error(`GET ledger account ${account}: ${res.statusCode} ${res.body}`);
      return res.json().balance;
    };
    const viaRoute = async (account: string) => {
      const got = await accountBalance(account);
      const want = fold.balances.get(account);
      if (want === undefined ? got !== null : got !== at(want)) {
        problems.push(
          `GET /ledger/accounts/${account}: ${got ?? '404'}, the fold gives ${want === undefined ? '(no account)' : at(want)}`,
        );
      }
    };
    await viaRoute(`psp:cash:${cur}`);
    await viaRoute(`provider:${run.provider.id}:payable:${cur}`);
    await viaRoute(`client:${run.client.id}:refundable:${cur}`);
    for (const e of run.escrows) {
      const folded = fold.escrows.get(e.id);
      if (!folded) {
        problems.push(`${e.label}: no escrow.created.v1 in the store`);
        continue;
      }
      await viaRoute(folded.heldAccount);
      const s = await send('GET', `/escrows/${e.id}/summary`, api.keys.admin);
      const b = statusBalances(folded);
      const expected = {
        deposited: at(b.deposited),
        paid: at(b.paid),
        refunded: at(b.refunded),
        spent: at(b.spent),
        failed: at(b.failed),
        held: at(b.held),
      };
      const { pending_deposits: _pending, ...balances } = s.json().balances;
      if (JSON.stringify(balances) !== JSON.stringify(expected)) {
        problems.push(
          `${e.label} summary balances ${JSON.stringify(balances)}, the fold's statuses give ${JSON.stringify(expected)}`,
        );
      }
      const heldPosted = at(fold.balances.get(folded.heldAccount));
      if (s.json().balances.held !== heldPosted)
        problems.push(
          `${e.label}: summary held ${s.json().balances.held}, ledger held (fold) ${heldPosted}`,
        );
      if (s.json().escrow.status !== folded.status)
        problems.push(
          `${e.label}: summary status ${s.json().escrow.status}, the events say ${folded.status}`,
        );
      if (TERMINAL.includes(s.json().escrow.status) && s.json().balances.held !== at(new Big(0))) {
        problems.push(`${e.label}: ${s.json().escrow.status} but holds ${s.json().balances.held}`);
      }
      const ledger = await send('GET', `/escrows/${e.id}/ledger?limit=1`, run.client.key);
      if (ledger.statusCode !== 200 || ledger.json().held !== heldPosted) {
        problems.push(
          `GET /escrows/${e.label}/ledger: ${ledger.statusCode} held ${ledger.json()?.held}, the fold gives ${heldPosted}`,
        );
      }
    }
    return problems;
  }

  async function check(run: Run, when: string, reconcile = false): Promise<void> {
    const problems = [
      ...(await ledgerProblems(run)),
      ...(reconcile ? await reconciliationProblems(run) : []),
    ];
    const agreed = reconcile ? 'ledger = fold = PSP' : 'ledger = fold';
    run.log.push(
      `-- check ${when}: ${problems.length === 0 ? agreed : `${problems.length} problem(s)`}`,
    );
    if (problems.length > 0)
      throw new Error(`the ledger disagrees (${when}):\n  ${problems.join('\n  ')}`);
  }

  async function propertyRun(spec: RunSpec): Promise<Run> {
    const rng = new Rng(spec.seed);
    const tag = randomBytes(4).toString('hex');
    const run: Run = {
      spec,
      scale: SCALES[spec.currency],
      rng,
      log: [],
      client: await newParty('client', tag),
      provider: await newParty('provider', tag),
      escrows: [],
      targetEscrows: rng.int(2, 4),
      webhooks: [],
      webhookTypes: new Map(),
      tag,
      counter: 0,
      progress: 0,
      inBurst: false,
    };
    const ops = rng.int(OPS_MIN, OPS_MAX);
    try {
      for (let i = 1; i <= ops; i++) {
        run.progress = i / ops;
        const snap = await summaries(run);
        const [name, op] = nextOp(run, snap);
        run.log.push(
          `#${i} ${await op(run, snap).catch((err: Error) => {
            run.log.push(`#${i} ${name} threw`);
            throw err;
          })}`,
        );
        if (i % CHECK_EVERY_OPS === 0 && i < ops) await check(run, `after #${i}`);
      }
      await check(run, 'at the end');
      await settle(run);
      await check(run, 'after settling', true);
    } catch (err) {
      const e = err as Error;
      e.message =
        `seed ${spec.seed} (${spec.currency}) failed; replay: LEDGER_PROPERTY_SEED=${spec.seed} LEDGER_PROPERTY_CURRENCY=${spec.currency} npx jest test/ledger/ledger-property.test.ts\n` +
        `operations:\n  ${run.log.join('\n  ')}\n${e.message}`;
      throw e;
    }
    return run;
  }

  /** The last run that passed, for the check below. */
  let lastRun: Run | undefined;
  /** Spends the default runs made (answered 200), and those a limit or the balance refused. */
  const spendTally = { made: 0, refused: 0 };

  for (const spec of runsToDo()) {
    const name = spec.pinned
      ? `pinned seed ${spec.seed} (${spec.currency}): ${spec.pinned}`
      : `seed ${spec.seed} (${spec.currency})`;
    it(`keeps the ledger equal to the fold of the events: ${name}`, async () => {
      const run = await propertyRun(spec);
      // A run that exercised nothing would prove nothing: each moves money through the PSP.
      expect(run.escrows.length).toBeGreaterThanOrEqual(2);
      expect(run.log.filter((l) => / → (200|201)/.test(l)).length).toBeGreaterThan(5);
      if (process.env.LEDGER_PROPERTY_VERBOSE)
        console.log(`seed ${spec.seed} (${spec.currency}):\n  ${run.log.join('\n  ')}`);
      lastRun = run;
      const spends = run.log
        .flatMap((l) => l.split('\n'))
        .filter((l) => /(^|\] )(#\d+ )?spend /.test(l.trim()));
      spendTally.made += spends.filter((l) => / → 200/.test(l)).length;
      spendTally.refused += spends.filter((l) => / → 409 /.test(l)).length;
    });
  }

  // Only when the default runs ran (not a replay of chosen seeds): they must have spent.
  if (!process.env.LEDGER_PROPERTY_SEED) {
    it('exercised usage spends, made and refused, in the default runs', () => {
      expect(spendTally.made).toBeGreaterThan(5);
      expect(spendTally.refused).toBeGreaterThan(0);
    });
  }

  it('would notice a ledger account drifting from the events even when debits still equal credits', async () => {
    const run = lastRun ?? (await propertyRun(DEFAULT_RUNS[0]!));
    const { db } = api.t.platform;
    // A held account of the run's escrows if one has any entry (the routes are read for those).
    const helds = await db
      .selectFrom('ledger_accounts')
      .select(['account', 'escrow_id'])
      .where('kind', '=', 'escrow_held')
      .execute();
    const ofRun = helds.find((h) => run.escrows.some((e) => e.id === h.escrow_id));
    const held = (ofRun ?? helds[0]!).account as string;
    const cash = `psp:cash:${run.spec.currency}`;
    expect(await ledgerProblems(run)).toEqual([]);
    // One unit more on both sides of the ledger: balanced, and wrong.
    const drift = (sign: 1 | -1) =>
      sql`
      UPDATE ledger_accounts
         SET credits = credits + ${sign} * (CASE WHEN account = ${held} THEN 1 ELSE 0 END),
             debits = debits + ${sign} * (CASE WHEN account = ${cash} THEN 1 ELSE 0 END)
       WHERE account IN (${held}, ${cash})`.execute(db);
    await drift(1);
    try {
      const problems = await ledgerProblems(run);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^${held}: ledger \\S+, fold `)),
          expect.stringMatching(new RegExp(`^${cash}: ledger \\S+, fold `)),
          ...(ofRun ? [expect.stringContaining(`GET /ledger/accounts/${held}:`)] : []),
          expect.stringContaining(`GET /ledger/accounts/${cash}:`),
        ]),
      );
    } finally {
      await drift(-1);
    }
    expect(await ledgerProblems(run)).toEqual([]);
  });
});
