/**
 * Issue 16: how many SQL statements one deposit costs, counted on the real app and database by
 * counting every query the process's PostgreSQL clients send (pg's `Client.prototype.query`,
 * which the pool, Kysely and the event store all go through), and how many of the round's it
 * waits for (its round trips). The command's statements (from the
 * request to its answer, authentication included) are counted with the projections stopped, then
 * the projection round that applies the deposit on its own. Measured on a warm escrow stream
 * (the third deposit of a run), the steady state of a busy service. The bounds are today's
 * counts: a change that adds a statement to every deposit fails here, and one that removes one
 * lowers the bound (README, Performance).
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { deferredWriteMarks } from '@kob/kernel';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';

/**
 * Statements of the command itself, its answer included (with API_KEY_CACHE off, the default):
 * the key lookup, the initiation's append and the outcome's append of both streams, each one call
 * of `events_append_batch` (group commit: the function's own transaction, with no BEGIN and COMMIT
 * of its own; 7 statements before it). The escrow is checked (its client, its currency) on the
 * state this process has cached, with no top-up read (4 before): the initiation's append is
 * conditional on that state's revision. The answer's party numbers come from memory once seen.
 */
const COMMAND_STATEMENTS_MAX = 3;
/**
 * Statements of the projection round that applies one deposit's events: the two reads of `$all`
 * of this catch-up (the events, then nothing more) and one transaction of ten (BEGIN, the
 * checkpoints, event stats, audit log, escrow, deposit, the ledger's currencies read, its entries
 * written with its accounts read in the same statement, its accounts written, COMMIT).
 */
const PROJECTION_STATEMENTS_MAX = 12;
/**
 * Of those, the statements whose answer the round waits for before it sends the next (its round
 * trips): the two reads of `$all`, the checkpoints, the ledger's currencies and its entries with
 * its accounts, and the COMMIT. BEGIN goes out with the checkpoints, and the writes whose answers
 * nobody reads (event stats, audit log, escrow, deposit, the ledger's accounts written) go out
 * without waiting, each behind the one before (projections/deferred-write.ts); 13 before that.
 */
const PROJECTION_WAITS_MAX = 6;
/**
 * Of those, the ones sent as named prepared statements, parsed once per connection: all but
 * BEGIN and COMMIT (the reads of `$all`, the checkpoints, event stats, audit log, escrow,
 * deposit, the ledger's currencies, its entries with its accounts, and its accounts written).
 */
const PROJECTION_NAMED_MIN = 10;

let api: EscrowApi;
/** Each statement sent: its name if it has one (else its text), and its text. */
const seen: { label: string; text: string }[] = [];
let counting = false;
const query = Client.prototype.query;

beforeAll(async () => {
  api = await startEscrowApi();
  (Client.prototype as { query: unknown }).query = function (this: Client, ...args: unknown[]) {
    if (counting) {
      const q = args[0] as string | { text?: string; name?: string };
      seen.push(
        typeof q === 'string'
          ? { label: q, text: q }
          : { label: q?.name ?? q?.text ?? '?', text: q?.text ?? '' },
      );
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
});
afterAll(async () => {
  Client.prototype.query = query;
  await api.close();
});

async function measure<T>(
  work: () => Promise<T>,
): Promise<{ result: T; statements: { label: string; text: string }[] }> {
  seen.length = 0;
  counting = true;
  try {
    const result = await work();
    return { result, statements: [...seen] };
  } finally {
    counting = false;
  }
}

it('one deposit: its command and its projection round', async () => {
  const escrows = [await api.escrow(), await api.escrow(), await api.escrow()];
  await api.t.platform.projections.catchUp();
  await api.t.platform.projections.stop();
  // The answers do not wait for the stopped projections (that wait is not the deposit's cost).
  (api.t.platform.config as { inlineProjectionWaitMs: number }).inlineProjectionWaitMs = 0;
  let command: { label: string; text: string }[] = [];
  let projection: { label: string; text: string }[] = [];
  for (const id of escrows) {
    const { result, statements } = await measure(() => api.deposit(id, '100.00', randomUUID()));
    expect(result.statusCode).toBe(200);
    expect(result.json().deposit.status).toBe('CONFIRMED');
    command = statements;
    projection = (await measure(() => api.t.platform.projections.catchUp())).statements;
  }
  const waits = projection.filter(
    (q) => q.text !== 'begin' && !q.text.startsWith(deferredWriteMarks.write),
  ).length;
  // The round's statements whose text never varies go out as named prepared statements.
  const named = projection.filter((q) => q.label.startsWith('kobatela-')).length;
  console.log(
    `statements per deposit: ${command.length} for the command, ${projection.length} for its projection round (${waits} waited for)\n` +
      `command: ${command.map((q) => q.label).join(' | ')}\n` +
      `projection (${named} named): ${projection.map((q) => q.label).join(' | ')}`,
  );
  expect(command.length).toBeLessThanOrEqual(COMMAND_STATEMENTS_MAX);
  expect(projection.length).toBeLessThanOrEqual(PROJECTION_STATEMENTS_MAX);
  expect(waits).toBeLessThanOrEqual(PROJECTION_WAITS_MAX);
  expect(named).toBeGreaterThanOrEqual(PROJECTION_NAMED_MIN);
  // Not vacuous: the counter sees the appends and the round (a client that went round pg's
  // prototype would count nothing).
  expect(command.filter((q) => /events_append_batch/i.test(q.text)).length).toBeGreaterThan(0);
  expect(projection.length).toBeGreaterThan(2);
});
