/**
 * The recovery job of multi-stream appends on EventStoreDB: a claim written for an aggregate
 * event that never followed (the writer died between the two appends, or the aggregate's
 * append had an unknown outcome and did not happen) is released. It scans `$all` from a
 * checkpoint and looks only at claims older than a grace period longer than an append's
 * deadline, so an aggregate append still in flight cannot land after its claim was released.
 * A claim already released, or followed by anything else on its reservation, is left alone.
 */
import { limits } from '@kob/kernel';
import type { EventStore, Position, RecordedEvent } from '../event-store.port';
import { WrongExpectedRevisionError } from '../errors';
import { RESERVATION_CLAIMED, readReservation } from '../reservations';
import { CLAIMED_FOR, type ClaimedFor, compensate } from './eventstoredb-multi-stream';

/** Claims younger than this are not judged yet (well above the 10 s append deadline). */
export const RECOVERY_GRACE_MS = 60_000;

export interface RecoveryReport {
  /** Events looked at. */
  scanned: number;
  released: { streamId: string; claimEventId: string }[];
  /** Where the next run starts (the last event judged). */
  position: Position | null;
}

export async function recoverOrphanedClaims(
  store: EventStore,
  options: { fromPosition?: Position | null; graceMs?: number; now?: Date } = {},
): Promise<RecoveryReport> {
  const cutoffMs = (options.now ?? new Date()).getTime() - (options.graceMs ?? RECOVERY_GRACE_MS);
  const report: RecoveryReport = {
    scanned: 0,
    released: [],
    position: options.fromPosition ?? null,
  };
  for (let page = 0; page < 1_000_000; page++) {
    const events = await store.readAll({
      fromPosition: report.position,
      maxCount: limits.readAllBatchMax,
    });
    for (const e of events) {
      if (e.recordedAt.getTime() > cutoffMs) return report;
      report.scanned += 1;
      report.position = e.position;
      if (
        e.type === RESERVATION_CLAIMED &&
        e.metadata[CLAIMED_FOR] &&
        (await releaseIfOrphaned(store, e))
      ) {
        report.released.push({ streamId: e.streamId, claimEventId: e.id });
      }
    }
    if (events.length < limits.readAllBatchMax) break;
  }
  return report;
}

/** Releases the claim if it is still the reservation's head and its aggregate event is missing. */
async function releaseIfOrphaned(store: EventStore, claim: RecordedEvent): Promise<boolean> {
  const target = claim.metadata[CLAIMED_FOR] as ClaimedFor;
  const reservation = await readReservation(store, claim.streamId);
  if (reservation.status !== 'claimed' || reservation.revision !== claim.revision) return false;
  const aggregate = await store.readStream(target.streamId);
  if (aggregate.some((e) => e.id === target.eventId)) return false;
  const writer = {
    append: async (a: Parameters<EventStore['appendMulti']>[0][number]) =>
      (await store.appendMulti([a]))[0]!,
  };
  try {
    await compensate(
      writer,
      claim,
      { streamId: claim.streamId, nextRevision: claim.revision, headHash: claim.metadata.hash },
      'recovered: the aggregate was never written',
    );
    return true;
  } catch (err) {
    // Someone else moved the reservation meanwhile: it is no longer this claim to release.
    if (err instanceof WrongExpectedRevisionError) return false;
    throw err;
  }
}
