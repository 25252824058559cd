/**
 * Read models against a fresh fold: for a sample of escrow streams (met during the chain pass,
 * kept by reservoir sampling so any stream may be picked), the escrow decider folds the events
 * and the rows must agree: the escrows row (status, total, currency, confirmed deposits), as
 * many milestone, deposit and payment rows as the state holds, and the ledger's held account at
 * the state's `held`. A stream is compared only where the projectors had passed its last event
 * before the rows were read and the stream did not move meanwhile, so a running service's lag
 * is never taken for a break (such streams are counted as skipped).
 */
import Big from 'big.js';
import { sql } from 'kysely';
import { type EscrowState, escrowDecider, foldEvents } from '@kob/domain';
import { type Position, type RecordedEvent, comparePositions } from '@kob/event-store';
import type { Platform } from '@kob/platform';
import { escrowHeldAccount } from '@kob/projections';
import type { Break } from './chains';

/** Escrow streams compared by default (`verify --all --sample N`). */
export const READ_MODEL_SAMPLE_DEFAULT = 100;
/** The projectors whose rows the comparison reads. */
const SAMPLED_PROJECTORS = ['escrows', 'payments', 'ledger'] as const;

/** Keeps a uniform sample of at most `size` escrow streams and their events. */
export class StreamSample {
  private seen = 0;
  readonly streams: { streamId: string; events: readonly RecordedEvent[] }[] = [];

  constructor(private readonly size: number) {}

  offer(streamId: string, events: readonly RecordedEvent[]): void {
    if (!streamId.startsWith(`${escrowDecider.category}-`) || this.size === 0) return;
    this.seen += 1;
    if (this.streams.length < this.size) this.streams.push({ streamId, events });
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < this.size) this.streams[slot] = { streamId, events };
    }
  }
}

export interface SampleSummary {
  compared: number;
  skipped: number;
  breaks: Break[];
}

async function slowestCheckpoint(platform: Platform): Promise<Position | null> {
  const rows = await platform.projections.status();
  const mine = rows.filter((r) => (SAMPLED_PROJECTORS as readonly string[]).includes(r.name));
  if (mine.length < SAMPLED_PROJECTORS.length) return null;
  return mine.map((r) => r.checkpoint).sort(comparePositions)[0] ?? null;
}

async function rowsOf(platform: Platform, escrowId: string, currency: string) {
  const count = (table: 'milestones' | 'deposits' | 'payments') =>
    platform.db
      .selectFrom(table)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('escrow_id', '=', escrowId)
      .executeTakeFirstOrThrow();
  const escrow = await platform.db
    .selectFrom('escrows')
    .select(['status', 'amount_total', 'currency', 'deposited'])
    .where('id', '=', escrowId)
    .executeTakeFirst();
  const held = await platform.db
    .selectFrom('ledger_accounts')
    .select(['debits', 'credits'])
    .where('account', '=', escrowHeldAccount(escrowId, currency).id)
    .executeTakeFirst();
  return {
    escrow,
    milestones: (await count('milestones')).n,
    deposits: (await count('deposits')).n,
    payments: (await count('payments')).n,
    held: held ? new Big(held.credits).minus(held.debits).toString() : '0',
  };
}

const same = (a: unknown, b: unknown) => a === b;
/** Equal amounts whatever their notation (`100.00` and `100`). */
const sameAmount = (a: unknown, b: unknown) => new Big(String(a)).eq(String(b));

/** What differs between the rows and the state, first difference only (null when they agree). */
function difference(state: EscrowState, rows: Awaited<ReturnType<typeof rowsOf>>): string | null {
  const e = rows.escrow;
  if (!e) return 'escrows: no row';
  // What is compared: its name, the rows' value, the fold's value, and how.
  const checks: [string, unknown, unknown, (a: unknown, b: unknown) => boolean][] = [
    ['escrows.status', e.status, state.status, same],
    ['escrows.amount_total', e.amount_total, state.amountTotal, sameAmount],
    ['escrows.currency', e.currency, state.currency, same],
    ['escrows.deposited', e.deposited, state.deposited, sameAmount],
    ['milestones rows', rows.milestones, state.milestones.length, same],
    ['deposits rows', rows.deposits, state.deposits.length, same],
    ['payments rows', rows.payments, state.payments.length, same],
    ['ledger held', rows.held, state.held, sameAmount],
  ];
  const first = checks.find(([, row, fold, equal]) => !equal(row, fold));
  return first ? `${first[0]} is ${String(first[1])}, the fold says ${String(first[2])}` : null;
}

/** Compares each sampled stream's rows with its fold. */
export async function compareSample(
  platform: Platform,
  sample: StreamSample,
): Promise<SampleSummary> {
  const summary: SampleSummary = { compared: 0, skipped: 0, breaks: [] };
  for (const { streamId, events } of sample.streams) {
    const last = events[events.length - 1]!;
    const checkpoint = await slowestCheckpoint(platform);
    const state = foldEvents(escrowDecider, events);
    // Behind the stream's last event, or no escrow created there: nothing to compare yet.
    if (!state.exists || !checkpoint || comparePositions(checkpoint, last.position) < 0) {
      summary.skipped += 1;
      continue;
    }
    const rows = await rowsOf(platform, state.escrowId, state.currency);
    // The stream moved while the rows were read: they may hold newer events than the fold.
    if ((await platform.store.streamHead(streamId))?.revision !== last.revision) {
      summary.skipped += 1;
      continue;
    }
    summary.compared += 1;
    const reason = difference(state, rows);
    if (reason)
      summary.breaks.push({
        check: 'read_model',
        subject: streamId,
        revision: last.revision.toString(),
        reason,
      });
  }
  return summary;
}
