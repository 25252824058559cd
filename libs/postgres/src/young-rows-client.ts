/**
 * pg's client, handing each query's rows over in an array of its own making.
 *
 * pg collects a query's rows in an array its `Result` makes. V8 watches which allocation sites
 * make objects that outlive a scavenge and, once a site's objects mostly have (as they do while a
 * process starts, when the young generation is small), allocates that site's objects in the old
 * generation directly ("allocation-site pretenuring"). pg's rows arrays end up there: in the
 * API under deposits, 14,142 of 14,637 were old when their query resolved. An old array keeps
 * what it points to alive through every scavenge until the next full GC, even after the array
 * itself is garbage, so every row of every query, with its parsed JSON, was promoted: about a
 * fifth of what the API promoted per deposit (README, Performance). Copying the rows into a
 * young array and emptying pg's cuts that link; the rows then die with the answer that used them.
 * Its `query` also sends a statement marked as never varying as a named prepared statement
 * (prepared-statements.ts): every client of the service's pools is one of these.
 */
import { Client, type QueryResult } from 'pg';
import { forgetIfStale, namedIfMarked, renamedOn } from './prepared-statements';

function handOver(result: QueryResult): void {
  const rows = result.rows;
  if (!Array.isArray(rows) || rows.length === 0) return;
  result.rows = rows.slice();
  rows.length = 0;
}

export class YoungRowsClient extends Client {}

/** A text with several statements answers with one result per statement. */
function handOverAll(result: QueryResult | QueryResult[] | undefined): void {
  if (Array.isArray(result)) result.forEach(handOver);
  else if (result) handOver(result);
}

/** pg's own `query`, looked up at each call (so whatever wraps pg's prototype still sees it). */
const query = (client: Client, args: unknown[]): unknown =>
  (Client.prototype.query as (...a: unknown[]) => unknown).apply(client, args);
// The promise and the callback forms (pg-pool's `pool.query` calls the latter); submittables
// (cursors, streams) are left as they are.
(YoungRowsClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query =
  function youngRowsQuery(this: Client, ...given: unknown[]): unknown {
    // A statement marked as never varying goes out named, under a new name in a session where
    // its old one went stale (prepared-statements.ts).
    const args = renamedOn(this, namedIfMarked(given));
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      const sent = args.slice();
      args[last] = (err: Error | null, result: QueryResult | QueryResult[]) => {
        if (err) forgetIfStale(this, sent, err);
        else handOverAll(result);
        (callback as (e: Error | null, r: unknown) => void)(err, result);
      };
      return query(this, args);
    }
    const out = query(this, args);
    if (!(out instanceof Promise)) return out;
    return out.then(
      (result: QueryResult | QueryResult[]) => {
        handOverAll(result);
        return result;
      },
      (err: unknown) => {
        forgetIfStale(this, args, err);
        throw err;
      },
    );
  };
