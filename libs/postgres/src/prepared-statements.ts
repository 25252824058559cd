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
