/**
 * The PSP simulator (API-RULES.md §3), the default adapter. Modes, switchable at run time for
 * tests: `accept` (confirms collections synchronously, sends transfers), `fail` (declines),
 * `timeout` (never answers within the caller's timeout, and does nothing), `silent` (does the
 * work but the answer is lost, as when a network drops the response: a retry with the same
 * idempotency key then finds the first outcome). It can post a signed settlement webhook back
 * after a delay (off unless a poster is configured). Idempotent per key, like a real PSP.
 */
import { randomUUID } from 'node:crypto';
import {
  type CollectOutcome,
  type CollectRequest,
  PspDeclinedError,
  type PspPort,
  PspTimeoutError,
  type TransferOutcome,
  type TransferRequest,
} from './psp.port';

export type SimulatorMode = 'accept' | 'fail' | 'timeout' | 'silent';

export interface SettlementWebhook {
  event_id: string;
  type: 'payment.settled' | 'deposit.confirmed';
  psp_ref: string;
  reference: string;
}

export interface SimulatorOptions {
  mode?: SimulatorMode;
  /** How long a call waits before a `timeout`/`silent` answer is given up. */
  answerTimeoutMs?: number;
  /** When set, settled transfers are announced by this (signed) webhook after the delay. */
  settlement?: { post: (event: SettlementWebhook) => Promise<void>; afterMs: number };
  /**
   * `sync` (default): collections are confirmed in the answer. `webhook`: the answer says
   * pending with a reference, and a real PSP would confirm later by `deposit.confirmed`.
   */
  collections?: 'sync' | 'webhook';
}

const DEFAULT_ANSWER_TIMEOUT_MS = 2_000;

export class PspSimulator implements PspPort {
  readonly name = 'simulator';
  mode: SimulatorMode;
  collections: 'sync' | 'webhook';
  /** The last unexpected error a caller saw from this adapter (shown by operators' tools). */
  lastError: string | null = null;
  /** How long a `timeout`/`silent` call keeps the caller waiting before giving up. */
  answerTimeoutMs: number;
  private readonly done = new Map<string, CollectOutcome | TransferOutcome>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly settlements = new Set<NodeJS.Timeout>();
  readonly calls: { kind: 'collect' | 'transfer'; idempotencyKey: string; mode: SimulatorMode }[] = [];

  constructor(private readonly options: SimulatorOptions = {}) {
    this.mode = options.mode ?? 'accept';
    this.collections = options.collections ?? 'sync';
    this.answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  }

  async collect(request: CollectRequest): Promise<CollectOutcome> {
    const status = this.collections === 'sync' ? 'confirmed' : 'pending';
    return this.call('collect', request.idempotencyKey, () => ({ status, pspRef: `SIM-${randomUUID()}` }));
  }

  async transfer(request: TransferRequest): Promise<TransferOutcome> {
    const isNew = !this.done.has(request.idempotencyKey);
    const outcome = await this.call('transfer', request.idempotencyKey, () => ({ status: 'sent' as const, pspRef: `SIM-${randomUUID()}` }));
    // One settlement per transfer, however often the caller retried it.
    if (isNew) this.scheduleSettlement(outcome.pspRef, request.reference);
    return outcome;
  }

  /** The outcome recorded for a key (what a real PSP's status API would report). */
  outcomeOf(idempotencyKey: string): CollectOutcome | TransferOutcome | undefined {
    return this.done.get(idempotencyKey);
  }

  /** Settlement webhooks scheduled and not yet posted. */
  get settlementsPending(): number {
    return this.settlements.size;
  }

  close(): void {
    for (const t of [...this.timers, ...this.settlements]) clearTimeout(t);
    this.timers.clear();
    this.settlements.clear();
  }

  private async call<T extends CollectOutcome | TransferOutcome>(
    kind: 'collect' | 'transfer',
    key: string,
    make: () => T,
  ): Promise<T> {
    const mode = this.mode;
    this.calls.push({ kind, idempotencyKey: key, mode });
    const previous = this.done.get(key) as T | undefined;
    if (previous && mode !== 'timeout') return previous;
    switch (mode) {
      case 'accept': {
        const outcome = make();
        this.done.set(key, outcome);
        return outcome;
      }
      case 'fail':
        throw new PspDeclinedError('simulated decline');
      case 'silent':
        // The PSP did the work; the answer never reaches the caller.
        this.done.set(key, previous ?? make());
        await this.wait();
        throw new PspTimeoutError(this.answerTimeoutMs);
      case 'timeout':
        await this.wait();
        throw new PspTimeoutError(this.answerTimeoutMs);
      default: {
        const never: never = mode;
        throw new Error(`unknown simulator mode ${String(never)}`);
      }
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, this.answerTimeoutMs);
      this.timers.add(t);
    });
  }

  private scheduleSettlement(pspRef: string, reference: string): void {
    const settlement = this.options.settlement;
    if (!settlement) return;
    const t = setTimeout(() => {
      this.settlements.delete(t);
      void settlement.post({ event_id: `evt-${randomUUID()}`, type: 'payment.settled', psp_ref: pspRef, reference }).catch(() => undefined);
    }, settlement.afterMs);
    this.settlements.add(t);
  }
}
