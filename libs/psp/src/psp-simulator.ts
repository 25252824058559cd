/**
 * The PSP simulator (API-RULES.md §3), the default adapter. Modes, switchable at run time for
 * tests: `accept` (confirms collections synchronously, sends transfers), `fail` (declines),
 * `timeout` (never answers within the caller's timeout, and does nothing), `silent` (does the
 * work but the answer is lost, as when a network drops the response: a retry with the same
 * idempotency key then finds the first outcome). It can post a signed settlement webhook back
 * after a delay (off unless a poster is configured). Idempotent per key, like a real PSP; with a
 * `journal` file its memory of keys survives a crash of the process and is shared by every
 * process that names the same file (as a real PSP's is), so recovery after a crash asks the same
 * PSP again rather than a new one that would collect twice.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
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
  /** A file of JSON lines where each outcome is written (and synced) before it is answered. */
  journal?: string;
}

interface JournalLine {
  key: string;
  outcome: CollectOutcome | TransferOutcome;
}

const DEFAULT_ANSWER_TIMEOUT_MS = 2_000;
/** The latest calls the simulator remembers for the tests (`calls`), at least. */
export const CALLS_KEPT = 10_000;

export class PspSimulator implements PspPort {
  readonly name = 'simulator';
  mode: SimulatorMode;
  collections: 'sync' | 'webhook';
  /** The last unexpected error a caller saw from this adapter (shown by operators' tools). */
  lastError: string | null = null;
  /** How long a `timeout`/`silent` call keeps the caller waiting before giving up. */
  answerTimeoutMs: number;
  /**
   * Test hook: what a synchronous collection reports it collected, when not what was asked (a
   * PSP that collected short, or in another currency). Unset: exactly what was asked.
   */
  misreport: ((request: CollectRequest) => { amount: string; currency: string }) | null = null;
  private readonly done = new Map<string, CollectOutcome | TransferOutcome>();
  /** Bytes of the journal already read into `done`. */
  private journalOffset = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly settlements = new Set<NodeJS.Timeout>();
  /**
   * The latest calls, oldest first (what the tests look at): the last `CALLS_KEPT` at least and
   * twice that at most (the older half is dropped at once, not one by one), as the API runs on
   * the simulator for as long as it is up and a record of every call would only grow.
   */
  readonly calls: { kind: 'collect' | 'transfer'; idempotencyKey: string; mode: SimulatorMode }[] =
    [];

  constructor(private readonly options: SimulatorOptions = {}) {
    this.mode = options.mode ?? 'accept';
    this.collections = options.collections ?? 'sync';
    this.answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  }

  async collect(request: CollectRequest): Promise<CollectOutcome> {
    return this.call('collect', request.idempotencyKey, (): CollectOutcome => {
      const pspRef = `SIM-${randomUUID()}`;
      if (this.collections === 'webhook') return { status: 'pending', pspRef };
      // One literal with every field (a spread would put the last two in a separate property
      // array: 68 bytes more for each outcome the simulator keeps).
      const reported = this.misreport?.(request) ?? request;
      return {
        status: 'confirmed',
        pspRef,
        amount: reported.amount,
        currency: reported.currency,
      };
    });
  }

  async transfer(request: TransferRequest): Promise<TransferOutcome> {
    const isNew = !this.done.has(request.idempotencyKey);
    const outcome = await this.call('transfer', request.idempotencyKey, () => ({
      status: 'sent' as const,
      pspRef: `SIM-${randomUUID()}`,
    }));
    // One settlement per transfer, however often the caller retried it.
    if (isNew) this.scheduleSettlement(outcome.pspRef, request.reference);
    return outcome;
  }

  /** The outcome recorded for a key (what a real PSP's status API would report). */
  outcomeOf(idempotencyKey: string): CollectOutcome | TransferOutcome | undefined {
    return this.known(idempotencyKey);
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
    if (this.calls.length >= 2 * CALLS_KEPT) this.calls.splice(0, CALLS_KEPT);
    const previous = this.known(key) as T | undefined;
    if (previous && mode !== 'timeout') return previous;
    switch (mode) {
      case 'accept':
        return this.record(key, make());
      case 'fail':
        throw new PspDeclinedError('simulated decline');
      case 'silent':
        // The PSP did the work; the answer never reaches the caller.
        this.record(key, previous ?? make());
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

  /**
   * Remembers an outcome (in the journal first, synced, when there is one) and returns the one
   * that stands: with a journal, the first written for the key, so two processes that both missed
   * it converge on one outcome, as a real PSP's idempotency does.
   */
  private record<T extends CollectOutcome | TransferOutcome>(key: string, outcome: T): T {
    const journal = this.options.journal;
    if (!journal) {
      this.done.set(key, outcome);
      return outcome;
    }
    if (!this.done.has(key)) {
      const line = JSON.stringify({ key, outcome } satisfies JournalLine);
      const fd = openSync(journal, 'a', 0o600);
      try {
        // Framed by newlines: a line a crash cut short stays a line of its own, skipped on read.
        writeSync(fd, `\n${line}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.readJournal({ line, key, outcome });
    }
    return (this.done.get(key) ?? outcome) as T;
  }

  /** The outcome of a key: this process's, or one another process (or this one before a crash) journalled. */
  private known(key: string): CollectOutcome | TransferOutcome | undefined {
    if (this.options.journal && !this.done.has(key)) this.readJournal();
    return this.done.get(key);
  }

  /**
   * Reads what the journal gained since the last read (never the whole file again): each whole
   * line's outcome is kept unless its key already has one (the first written stands). The line
   * this process has just written is kept as the objects it was written from, not as a parsed
   * copy whose key and amount would be second copies of the caller's strings: the simulator
   * keeps an outcome for every key as long as it runs (about 80 bytes a deposit less).
   */
  private readJournal(own?: { line: string; key: string; outcome: JournalLine['outcome'] }): void {
    const journal = this.options.journal!;
    let fd: number;
    try {
      fd = openSync(journal, 'r');
    } catch {
      return; // No journal yet: nothing recorded.
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.journalOffset) return;
      const chunk = Buffer.alloc(size - this.journalOffset);
      readSync(fd, chunk, 0, chunk.length, this.journalOffset);
      const text = chunk.toString('utf8');
      // Only up to the last newline: a line still being written is read next time, whole.
      const end = text.lastIndexOf('\n');
      if (end === -1) return;
      this.journalOffset += Buffer.byteLength(text.slice(0, end + 1), 'utf8');
      for (const line of text.slice(0, end).split('\n')) {
        if (own && line === own.line) {
          if (!this.done.has(own.key)) this.done.set(own.key, own.outcome);
          continue;
        }
        const parsed = parseJournalLine(line);
        if (parsed && !this.done.has(parsed.key)) this.done.set(parsed.key, parsed.outcome);
      }
    } finally {
      closeSync(fd);
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
      void settlement
        .post({
          event_id: `evt-${randomUUID()}`,
          type: 'payment.settled',
          psp_ref: pspRef,
          reference,
        })
        .catch(() => undefined);
    }, settlement.afterMs);
    this.settlements.add(t);
  }
}

/** A journal line, or null for a blank one or one a crash cut short (never answered). */
function parseJournalLine(line: string): JournalLine | null {
  if (!line.trim()) return null;
  try {
    const parsed = JSON.parse(line) as JournalLine;
    return typeof parsed?.key === 'string' && parsed.outcome ? parsed : null;
  } catch {
    return null;
  }
}
