/**
 * Which errors mean "the database cannot do this now" rather than "this request or this code is
 * wrong". The HTTP edge answers them 503 with Retry-After instead of a 500 (a bug); workers retry
 * them. The same classification as the projection runner's `isInfrastructureFailure`, shared
 * here so every caller agrees (and narrower for Node's own error codes: only failures of a
 * connection count, never a file's ENOENT or EACCES).
 *
 * - `unavailable`: the server cannot be reached or is going away: connection exceptions (class
 *   08), shutdown and "cannot connect now" (57P01-57P03), refused, reset or missing sockets, the
 *   pool's connect timeout, a connection terminated under a query, a pool already closed.
 * - `busy`: it is reachable but did not do it this time: serialization failures and deadlocks
 *   (class 40), too many connections and other exhausted resources (53), locks not available
 *   (55), a cancelled statement (57014, our statement timeout), system errors (58), and
 *   `idle_in_transaction_session_timeout` (25P03), and a named prepared statement a migration
 *   made stale in its session (prepared-statements.ts: renamed there, so a retry runs).
 */

import { isStalePreparedStatement } from './prepared-statements';

export type DatabaseFailure = 'unavailable' | 'busy';

/** Error causes followed, at most, before giving up (a cycle must not loop). */
const CAUSE_DEPTH_MAX = 5;

const SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03']);
const BUSY_CLASSES = new Set(['40', '53', '55', '57', '58']);
/** Node's codes for a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES = new RegExp(
  [
    'Connection terminated',
    'connection error',
    'timeout exceeded when trying to connect',
    'Client was closed',
    'Client has encountered a connection error',
    'Cannot use a pool after calling end',
    'Query read timeout',
  ].join('|'),
  'i',
);

function classifyOne(err: unknown): DatabaseFailure | null {
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown };
  if (e === null || typeof e !== 'object') return null;
  const code = typeof e.code === 'string' ? e.code : '';
  // Node's codes first: some (EPIPE, EPERM) have the five characters of a SQLSTATE.
  if (CONNECTION_CODES.has(code)) return 'unavailable';
  // A Unix socket that is gone (the server stopped) fails its connect with ENOENT.
  if ((code === 'ENOENT' || code === 'EACCES') && e.syscall === 'connect') return 'unavailable';
  if (e.syscall === undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('08') || SHUTDOWN_STATES.has(code)) return 'unavailable';
    // Prepared under a name a migration made stale: renamed in that session, so a retry runs.
    if (isStalePreparedStatement(err)) return 'busy';
    if (BUSY_CLASSES.has(code.slice(0, 2)) || code === '25P03') return 'busy';
    return null;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  return CONNECTION_MESSAGES.test(message) ? 'unavailable' : null;
}

/** The kind of database failure `err` (or an error it wraps) is, or null for any other error. */
export function databaseFailure(err: unknown): DatabaseFailure | null {
  let current: unknown = err;
  for (let depth = 0; depth <= CAUSE_DEPTH_MAX && current; depth++) {
    const kind = classifyOne(current);
    if (kind) return kind;
    const errors = (current as { errors?: unknown }).errors;
    // Node reports a connect that tried several addresses as an AggregateError.
    if (Array.isArray(errors)) {
      const inner = errors.map(classifyOne).find((k) => k !== null);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
