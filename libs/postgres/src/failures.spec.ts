/**
 * The classification of database failures the HTTP edge answers 503 (and workers retry): real
 * errors of pg and Node shapes in, `unavailable`, `busy` or null (a bug, or bad input) out.
 */
import { databaseFailure } from './failures';

const pgError = (code: string, message = 'x') =>
  Object.assign(new Error(message), { code, severity: 'ERROR' });
const sysError = (code: string, syscall: string) =>
  Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

describe('databaseFailure', () => {
  it.each([
    ['terminating connection due to administrator command', pgError('57P01')],
    ['the database system is shutting down', pgError('57P03')],
    ['connection failure', pgError('08006')],
    ['connection refused', sysError('ECONNREFUSED', 'connect')],
    ['a missing Unix socket', sysError('ENOENT', 'connect')],
    ['a reset connection', sysError('ECONNRESET', 'read')],
    ['a write to a closed socket (EPIPE has the shape of a SQLSTATE)', sysError('EPIPE', 'write')],
    ['the pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a connection lost under a query', new Error('Connection terminated unexpectedly')],
    ['a closed pool', new Error('Cannot use a pool after calling end on the pool')],
    ['a wrapped cause', new Error('append failed', { cause: sysError('ECONNREFUSED', 'connect') })],
    [
      'an AggregateError of connect attempts',
      new AggregateError([sysError('ECONNREFUSED', 'connect')], 'connect'),
    ],
  ])('%s is unavailable', (_what, err) => {
    expect(databaseFailure(err)).toBe('unavailable');
  });

  it.each([
    ['a serialization failure', pgError('40001')],
    ['a deadlock', pgError('40P01')],
    ['too many connections', pgError('53300')],
    ['a statement timeout', pgError('57014')],
    ['a lock not available', pgError('55P03')],
    ['an idle transaction timeout', pgError('25P03')],
  ])('%s is busy', (_what, err) => {
    expect(databaseFailure(err)).toBe('busy');
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a syntax error (a bug)', pgError('42601')],
    ['a file that does not exist', sysError('ENOENT', 'open')],
    ['a file that may not be read', sysError('EACCES', 'open')],
    ['a file operation not permitted', sysError('EPERM', 'open')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('%s is not a database failure', (_what, err) => {
    expect(databaseFailure(err)).toBeNull();
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(databaseFailure(a)).toBeNull();
  });
});
