/**
 * What starts a `sql` template whose text never varies with the rows it writes (only its
 * parameters do): the pg client then sends it as a named prepared statement, parsed once per
 * connection (libs/postgres/src/prepared-statements.ts). For statements run every projection
 * round; a text built from the batch's size (a multi-row VALUES) must not carry it.
 */
import { sql } from 'kysely';
import { preparedStatementMark } from '@kob/kernel';

export const preparedMark = sql.raw(preparedStatementMark);
