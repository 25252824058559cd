/**
 * Waiting for the read models in tests. `store.headPosition()` is what `$all` readers may see
 * now: an open transaction (a projection round in progress, in any process) hides events
 * committed after it began (the xmin rule, ARCHITECTURE.md). A test that wants "everything
 * appended so far" must name the newest committed event itself and wait for that.
 */
import { sql } from 'kysely';
import type { Position } from '@kob/event-store';
import type { Platform } from '@kob/platform';

/**
 * The newest committed event, visible to `$all` readers or not yet (on EventStoreDB, which has
 * no such horizon, the store's head).
 */
export async function committedHead(
  platform: Pick<Platform, 'db' | 'store'>,
): Promise<Position | null> {
  if (platform.store.name !== 'postgresql') return platform.store.headPosition();
  const res = await sql<{ tx: string; pos: string }>`
    SELECT transaction_id::text AS tx, position::text AS pos FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1`.execute(
    platform.db,
  );
  const row = res.rows[0];
  return row ? { tx: BigInt(row.tx), pos: BigInt(row.pos) } : null;
}

/** Whether this process's read models applied every event committed so far, within the time. */
export async function projectionsCaughtUp(
  platform: Pick<Platform, 'db' | 'store' | 'projections'>,
  timeoutMs = 10_000,
): Promise<boolean> {
  const head = await committedHead(platform);
  return head === null || platform.projections.waitFor(head, timeoutMs);
}
