/**
 * Deferred writes: statements whose answer nobody reads (a projector's INSERT, UPDATE or upsert)
 * sent at once and not waited for, so that the statements of a projection round reach PostgreSQL
 * back to back instead of one round trip each.
 *
 * Each round trip of a round costs more than PostgreSQL's work for it on a busy machine: the
 * backend has to be scheduled, and the answer waits for the API's event loop. A deposit's round
 * (README, Performance) took twelve: BEGIN, the checkpoints, event stats, audit log, the escrow
 * and deposit rows, four ledger statements, COMMIT. With deferral, a transaction that calls
 * `deferWrites` (projections/deferred-write.ts) sends each `deferredWrite` as it is made, with
 * pg's pipeline mode on for that client, and the next statement whose answer is read (a ledger
 * read, the COMMIT) follows on the same connection without waiting. PostgreSQL runs them in the order sent, as if awaited one by
 * one; the statement that reads is answered only after every deferred write before it, and if
 * one of those failed, it fails with that write's error (marked: `isDeferredWriteFailure`), so a
 * caller that tells a projector's failure from the infrastructure's still can. The transaction is
 * then aborted, as after any failed statement, and is rolled back by its owner.
 *
 * Every Kysely transaction on these pools sends its BEGIN without waiting, with pg's pipeline
 * mode on until its COMMIT or ROLLBACK; pg refuses cursors and streamed queries (`rows`,
 * pg-cursor, Kysely's `.stream()`) in that mode, and none is used inside a transaction here.
 *
 * Kysely runs one statement at a time on a transaction's connection, so this lives in the pg
 * client the pool makes (`DeferringClient`): a deferred write's promise resolves at once for
 * Kysely (with no rows: its answer is not read) while pg keeps the real one. Deferral ends with
 * the transaction (COMMIT or ROLLBACK) and when the client goes back to the pool. On a client
 * without it (another pool), the markers are comments and every statement runs as before.
 */
import type { QueryResult } from 'pg';
import { deferredWriteMarks } from '@kob/kernel';
import { YoungRowsClient } from './young-rows-client';

/** The statement that turns deferral on for the rest of the transaction (never sent). */
const DEFER_ON = deferredWriteMarks.deferOn;
/** The prefix of a deferred write. */
const DEFERRED = deferredWriteMarks.write;
/** What Kysely's driver sends to start a transaction (with no isolation level or access mode). */
const BEGIN = 'begin';
/** What Kysely's driver sends to end a transaction. */
const ENDS = new Set(['commit', 'rollback']);
/** A rollback, of the transaction or to a savepoint (Kysely's driver, or raw `sql`). */
const ROLLBACK = /^\s*rollback\b/i;

const deferredFailures = new WeakSet<object>();

/** Whether `err` is a deferred write's own failure, reported by a later statement. */
export function isDeferredWriteFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && deferredFailures.has(err);
}

const NO_ROWS = Object.freeze({
  command: 'DEFERRED',
  rowCount: null,
  oid: 0,
  fields: [],
  rows: [],
}) as unknown as QueryResult;

type Query = (...args: unknown[]) => unknown;

/** pg's own conversion of a parameter (what it does while sending; here before, see below). */
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

/** pg's bookkeeping of what it sent and has not had answered yet. */
interface PgInFlight {
  _activeQuery: unknown;
  _sentQueryQueue: unknown[];
  _queryQueue: unknown[];
  pipeline: boolean;
  connection: { stream: { destroy(): void; cork(): void; uncork(): void } };
}

/** pg's client with deferred writes (see the file's comment); the pool makes these. */
export class DeferringClient extends YoungRowsClient {
  /** Between Kysely's BEGIN and its COMMIT or ROLLBACK. */
  private transaction = false;
  /** Whether this transaction defers writes. */
  private deferring = false;
  /** The deferred writes sent and not yet answered for, in order. */
  private sent: Promise<unknown>[] = [];
  /** Whether the socket holds what is written in this turn of the event loop (`corkTurn`). */
  private corked = false;

  /**
   * Holds what is written to the socket until the end of this turn of the event loop, so the
   * statements sent without waiting (BEGIN, the deferred writes) and the one sent behind them
   * leave in one write instead of one each: each write to PostgreSQL's socket is a system call
   * that also delivers the data, and they were about a sixth of the API's CPU under deposits.
   * pg's own cork around each statement nests inside this one.
   */
  corkTurn(): void {
    if (this.corked) return;
    const stream = (this as unknown as PgInFlight).connection.stream;
    stream.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      stream.uncork();
    });
  }

  /**
   * Ends deferral and pg's pipeline mode: at the end of a transaction, and when the client goes
   * back to the pool. A client given back with statements still in flight (deferral used outside
   * Kysely's transactions, which always wait for their COMMIT) is closed instead: out of pipeline
   * mode, pg would hand their answers to the next caller's query.
   */
  resetDeferral(): void {
    const pg = this as unknown as PgInFlight;
    const inFlight =
      this.sent.length > 0 ||
      pg._activeQuery != null ||
      pg._sentQueryQueue.length > 0 ||
      pg._queryQueue.length > 0;
    this.transaction = false;
    this.deferring = false;
    this.sent = [];
    if (inFlight && pg.pipeline) pg.connection.stream.destroy();
    else pg.pipeline = false;
  }
}

/** The young-rows client's `query`, looked up at each call (so what wraps it sees every call). */
const baseQuery: { apply(self: unknown, args: unknown[]): unknown } = {
  apply: (self, args) => (YoungRowsClient.prototype.query as unknown as Query).apply(self, args),
};

(DeferringClient.prototype as unknown as { query: Query }).query = function deferringQuery(
  this: DeferringClient,
  ...args: unknown[]
): unknown {
  const self = this as unknown as {
    transaction: boolean;
    deferring: boolean;
    sent: Promise<unknown>[];
    pipeline: boolean;
  };
  const [text] = args;
  // Only Kysely's form (text and values, answered by a promise) takes part; pg's others (a
  // callback, a config object, a cursor) run as they always have.
  const plain = typeof text === 'string' && args.length <= 2 && typeof args[1] !== 'function';
  if (!plain) return baseQuery.apply(this, args);
  if (text === DEFER_ON) {
    // Only inside a transaction, which waits for its COMMIT before the client goes back.
    if (self.transaction) {
      self.deferring = true;
      self.pipeline = true;
    }
    return Promise.resolve(NO_ROWS);
  }
  // Kysely's BEGIN goes out with the transaction's first statement (nothing reads its answer).
  const begins = text === BEGIN && !self.transaction;
  if (begins || (self.deferring && text.startsWith(DEFERRED))) {
    // Parameters converted now, as pg would while sending: one it cannot convert (a BigInt in
    // a JSON value) fails this call, here, before anything is sent (pg would send nothing of it
    // to the server, whose transaction would then commit the writes around it).
    let values: unknown[];
    try {
      values = ((args[1] as unknown[] | undefined) ?? []).map(prepareValue);
    } catch (err) {
      return Promise.reject(err);
    }
    if (begins) self.transaction = true;
    self.pipeline = true;
    this.corkTurn();
    const write = baseQuery.apply(this, [text, values]) as Promise<unknown>;
    // Reported by the next statement that waits (below); never an unhandled rejection.
    write.catch(() => undefined);
    self.sent.push(write);
    return Promise.resolve(NO_ROWS);
  }
  const ends = ENDS.has(text);
  const finish = () => {
    if (ends) this.resetDeferral();
  };
  if (self.sent.length === 0) {
    if (!ends || !self.transaction) return baseQuery.apply(this, args);
    return (baseQuery.apply(this, args) as Promise<unknown>).finally(finish);
  }
  const writes = self.sent;
  self.sent = [];
  // Sent now, behind the writes (pipeline mode): answered once they are.
  const answer = baseQuery.apply(this, args) as Promise<unknown>;
  // A rollback undoes the writes before it: their failure is not its answer (the caller rolls
  // back for a reason of its own, which must reach it).
  const settled = ROLLBACK.test(text) ? settledThen(writes, answer) : answerAfter(writes, answer);
  return settled.finally(finish);
};

/** `answer`, once the writes before it are answered, whatever they answered. */
async function settledThen(writes: Promise<unknown>[], answer: Promise<unknown>): Promise<unknown> {
  await Promise.allSettled(writes);
  return answer;
}

/** `answer`, unless a deferred write before it failed: then that write's error. */
async function answerAfter(writes: Promise<unknown>[], answer: Promise<unknown>): Promise<unknown> {
  for (const write of writes) {
    try {
      await write;
    } catch (err) {
      if (typeof err === 'object' && err !== null) deferredFailures.add(err);
      // The statement after it failed too (the transaction is aborted): that is not the news.
      await answer.catch(() => undefined);
      throw err;
    }
  }
  return answer;
}
