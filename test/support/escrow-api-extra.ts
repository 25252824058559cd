/**
 * Helpers the payment tests share on top of `escrow-api.ts`: a funded escrow with milestones in
 * one call, the PSP simulator switched to a mode for the length of a block (and always restored),
 * the events an escrow stream holds, and the balance identity of API-RULES.md §3 checked on a
 * summary (deposited = paid + refunded + spent + failed + held).
 */
import Big from 'big.js';
import type { Response } from 'light-my-request';
import type { SimulatorMode } from '@kob/psp';
import type { EscrowApi } from './escrow-api';
import { storedEventCount } from './stored-events';

/** How long a `timeout`/`silent` PSP call keeps the caller waiting in these tests. */
export const PSP_ANSWER_TIMEOUT_MS = 20;

export interface FundedEscrow {
  id: string;
  milestones: string[];
}

/**
 * A DRAFT escrow of `total` with one milestone per entry of `milestones` (sequence 1, 2, …),
 * funded by one deposit of `deposit` (the total unless given; `null` for no deposit).
 */
export async function fundedEscrow(
  api: EscrowApi,
  options: {
    total: string;
    currency?: string;
    milestones?: string[];
    deposit?: string | null;
    over?: Record<string, unknown>;
  },
): Promise<FundedEscrow> {
  const id = await api.escrow({
    amount_total: options.total,
    currency: options.currency ?? 'USD',
    ...options.over,
  });
  const milestones: string[] = [];
  for (const [i, amount] of (options.milestones ?? []).entries())
    milestones.push(await api.milestone(id, i + 1, amount));
  const deposit = options.deposit === undefined ? options.total : options.deposit;
  if (deposit !== null) {
    const res = await api.deposit(id, deposit);
    if (res.statusCode !== 200 || res.json().deposit.status !== 'CONFIRMED')
      throw new Error(`deposit: ${res.statusCode} ${res.body}`);
  }
  return { id, milestones };
}

/** Runs `work` with the simulator in `mode` (short answer timeout), then restores it. */
export async function withPspMode<T>(
  api: EscrowApi,
  mode: SimulatorMode,
  work: () => Promise<T>,
): Promise<T> {
  const psp = api.t.platform.psp;
  const before = { mode: psp.mode, answerTimeoutMs: psp.answerTimeoutMs };
  psp.mode = mode;
  psp.answerTimeoutMs = PSP_ANSWER_TIMEOUT_MS;
  try {
    return await work();
  } finally {
    psp.mode = before.mode;
    psp.answerTimeoutMs = before.answerTimeoutMs;
  }
}

/** The transfer calls the simulator saw for one idempotency key, as the modes it was in. */
export function transferModes(api: EscrowApi, key: string): string[] {
  return api.t.platform.psp.calls
    .filter((c) => c.kind === 'transfer' && c.idempotencyKey === key)
    .map((c) => c.mode);
}

/** Event types on `escrow-{id}`, in order. */
export async function escrowEventTypes(api: EscrowApi, escrowId: string): Promise<string[]> {
  return (await escrowEvents(api, escrowId)).map((e) => e.type);
}

/** Every event on `escrow-{id}` with its data, in order (through the store, either one). */
export async function escrowEvents(
  api: EscrowApi,
  escrowId: string,
): Promise<{ type: string; data: Record<string, any> }[]> {
  const events = await api.t.platform.store.readStream(`escrow-${escrowId}`);
  return events.map((e) => ({ type: e.type, data: e.data as Record<string, any> }));
}

/**
 * The number of events in the store (to show that a call appended nothing). `exceptAlerts`
 * leaves out `alert-*` streams: a refusal may raise one alert and nothing else (§6).
 */
export function allEventCount(
  api: EscrowApi,
  options: { exceptAlerts?: boolean } = {},
): Promise<number> {
  return storedEventCount(
    api.t.platform,
    (e) => !options.exceptAlerts || !e.streamId.startsWith('alert-'),
  );
}

/** §3's identity on a summary's balances: deposited = paid + refunded + spent + failed + held. */
export function expectBalancesSum(balances: Record<string, string>): void {
  const out = ['paid', 'refunded', 'spent', 'failed', 'held'].reduce(
    (sum, k) => sum.plus(new Big(balances[k]!)),
    new Big(0),
  );
  expect({ deposited: balances.deposited, out: out.toString() }).toEqual({
    deposited: balances.deposited,
    out: new Big(balances.deposited!).toString(),
  });
  for (const k of Object.keys(balances)) expect(new Big(balances[k]!).lt(0)).toBe(false);
}

/** A response that is not a server error, with its status for the failure message. */
export function expectNot5xx(res: Response): Response {
  expect({
    status: res.statusCode,
    server_error: res.statusCode >= 500,
    body: res.statusCode >= 500 ? res.body : '',
  }).toEqual({
    status: res.statusCode,
    server_error: false,
    body: '',
  });
  return res;
}
