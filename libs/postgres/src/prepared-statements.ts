/**
 * Statements marked as never varying (`preparedStatementMark`) go out as named prepared
 * statements: pg sends the text with a Parse the first time a connection runs one, and only its
 * values after that, so PostgreSQL parses and analyses it once per connection, not at every call
 * (and may keep a generic plan once it has seen that one is as good). A projection round is
 * about ten statements of that kind, each with CTEs, `unnest` or `jsonb_array_elements`: naming
 * them took about an eighth of PostgreSQL's CPU per deposit (README, Performance).
 *
 * The name is a digest of the text, so one name is never used for two texts (pg refuses that),
 * and the same statement gets the same name in every connection. pg itself keeps, per
 * connection, which names it has sent a Parse for, in pipeline mode too. Only so many texts are
 * named per process (`STATEMENT_NAMES_MAX`): a mark put by mistake on a text that varies runs
 * unnamed past that bound instead of filling every connection with statements.
 */
import { createHash } from 'node:crypto';
import { deferredWriteMarks, preparedStatementMark } from '@kob/kernel';

export const STATEMENT_NAMES_MAX = 512;

const names = new Map<string, string>();
const MARK = preparedStatementMark;
const DEFERRED = deferredWriteMarks.write;

/** The name a marked text goes by, or undefined (not marked, or past the bound). */
export function statementName(text: string): string | undefined {
  if (!(
    text.startsWith(MARK) ||
    (text.startsWith(DEFERRED) && text.startsWith(MARK, DEFERRED.length))
  ))
    return undefined;
  const known = names.get(text);
  if (known !== undefined || names.size >= STATEMENT_NAMES_MAX) return known;
  const name = `kobatela-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
  names.set(text, name);
  return name;
}

/**
 * The arguments of a pg `query` call, a marked `(text, values[, callback])` turned into pg's
 * named form `({ name, text, values }[, callback])`; any other call's as they are.
 */
export function namedIfMarked(args: unknown[]): unknown[] {
  const [text, values] = args;
  if (typeof text !== 'string' || !(values === undefined || Array.isArray(values))) return args;
  const name = statementName(text);
  if (name === undefined) return args;
  return [{ name, text, values }, ...args.slice(2)];
}

/**
 * Whether `err` says a named statement can no longer run as prepared in its session: a migration
 * changed the type of a column it returns (0A000, "cached plan must not change result type"),
 * or the statement is gone (26000). pg still counts the name as parsed on that connection, so
 * every later call under it would fail the same way; `renamedOn` gives the statement a new name
 * there instead (parsed afresh at its next call), and the failure itself is retried like a
 * busy database (failures.ts), not taken for a projector's or a request's own.
 */
export function isStalePreparedStatement(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e.code === '26000') return true;
  return (
    e.code === '0A000' &&
    typeof e.message === 'string' &&
    /cached plan must not change result type/i.test(e.message)
  );
}

/** Per client (so per session): the names given up on, and the name each is sent under now. */
const renames = new WeakMap<object, Map<string, string>>();

/** The statement's name, if it is a named one (pg's config object form). */
function nameOf(args: readonly unknown[]): string | undefined {
  const config = args[0] as { name?: unknown } | null;
  return config !== null && typeof config === 'object' && typeof config.name === 'string'
    ? config.name
    : undefined;
}

/** `args` with a statement given up on in this session sent under its new name. */
export function renamedOn(client: object, args: unknown[]): unknown[] {
  const name = nameOf(args);
  const now = name === undefined ? undefined : renames.get(client)?.get(name);
  if (now === undefined) return args;
  return [{ ...(args[0] as object), name: now }, ...args.slice(1)];
}

/**
 * After `err` answered `args` on `client`: a stale named statement gets a new name in that
 * session (the old one stays on the server until the session ends; a migration is rare).
 */
export function forgetIfStale(client: object, args: readonly unknown[], err: unknown): void {
  const sent = nameOf(args);
  if (sent === undefined || !isStalePreparedStatement(err)) return;
  const map = renames.get(client) ?? new Map<string, string>();
  renames.set(client, map);
  const base = sent.replace(/~\d+$/, '');
  const generation = Number(/~(\d+)$/.exec(sent)?.[1] ?? 0) + 1;
  map.set(base, `${base}~${generation}`);
}
