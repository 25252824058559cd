/**
 * A projector's writes whose answers it does not read, sent without waiting for them once the
 * round's transaction defers writes (`deferWrites`, called by the projection runner): the
 * statements of a round then reach PostgreSQL back to back instead of one round trip each. What
 * sends them, and how a failure is reported (by the next statement that reads, or the COMMIT,
 * with the write's own error): libs/postgres/src/deferred-writes.ts.
 */
import { CompiledQuery, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import { deferredWriteMarks } from '@kob/kernel';

type Executor = Pick<Kysely<unknown>, 'executeQuery'>;

/** Turns deferral on for the rest of the transaction `trx` (no statement is sent). */
export async function deferWrites(trx: Executor): Promise<void> {
  await trx.executeQuery(CompiledQuery.raw(deferredWriteMarks.deferOn));
}

/**
 * Sends `query`, a write whose answer is not read, without waiting for it once the transaction
 * defers writes (otherwise it runs as any statement). Its failure is reported by the next
 * statement that waits for an answer, or by the COMMIT.
 */
export async function deferredWrite(
  trx: Executor,
  query: Compilable | RawBuilder<unknown>,
): Promise<void> {
  // A builder's compile() takes nothing; a raw `sql` one takes the executor: both accept it.
  const compiled = (query as { compile(provider: unknown): CompiledQuery }).compile(trx);
  await trx.executeQuery({ ...compiled, sql: deferredWriteMarks.write + compiled.sql });
}
