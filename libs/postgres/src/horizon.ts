/**
 * What holds back the `$all` horizon. Readers of `$all` see only events below
 * `pg_snapshot_xmin(pg_current_snapshot())`: the oldest transaction id still running anywhere in
 * the cluster (any database, any role), a prepared transaction included. While one such
 * transaction stays open, no projection can advance past it, in every database of the cluster.
 *
 * Only transactions that hold a transaction id count (a read-only transaction holds none, so it
 * does not hold the horizon back, although it holds back vacuum). Seeing other roles' sessions
 * needs `pg_read_all_stats` (the embedded server grants it to the service role); without it only
 * the role's own sessions are visible.
 */
import { sql, type Kysely } from 'kysely';

export interface HorizonHolder {
  /** A session's open transaction, or a prepared transaction (no session). */
  kind: 'session' | 'prepared';
  /** The backend pid (null for a prepared transaction). */
  pid: number | null;
  database: string | null;
  role: string | null;
  /** The session's application_name, or the prepared transaction's gid. */
  name: string | null;
  /** `idle in transaction`, `active`, … or `prepared`. */
  state: string | null;
  /** When its transaction started (or was prepared), ISO 8601. */
  startedAt: string;
  ageMs: number;
  xid: string;
}

/** The row the query returns: the holder's columns, its start and age as PostgreSQL gives them. */
type HolderRow = Omit<HorizonHolder, 'startedAt' | 'ageMs'> & { started_at: Date; age_ms: string };

/** The transaction that sets the horizon now, or null when none but short ones run. */
export async function eventHorizonHolder<DB>(db: Kysely<DB>): Promise<HorizonHolder | null> {
  const res = await sql<HolderRow>`
    WITH holders AS (
      SELECT 'session' AS kind, pid, datname AS database, usename AS role, application_name AS name, state,
             xact_start AS started_at, backend_xid AS xid
      FROM pg_stat_activity
      WHERE backend_xid IS NOT NULL AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
      UNION ALL
      SELECT 'prepared', NULL, database, owner, gid, 'prepared', prepared, transaction FROM pg_prepared_xacts
    )
    SELECT kind, pid, database, role::text AS role, name, state, started_at, xid::text AS xid,
           (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint::text AS age_ms
    FROM holders ORDER BY age(xid) DESC, started_at LIMIT 1`.execute(db);
  const row = res.rows[0];
  if (!row) return null;
  const { started_at: startedAt, age_ms: ageMs, xid, ...holder } = row;
  return {
    ...holder,
    startedAt: new Date(startedAt).toISOString(),
    ageMs: Math.max(0, Number(ageMs)),
    xid,
  };
}
