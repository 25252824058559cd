/**
 * The recovery job of multi-stream appends on EventStoreDB (eventstoredb-multi-stream.ts): a
 * claim written for an aggregate event that never followed (the writer died between the two
 * appends, or the aggregate's append had an unknown outcome and did not happen) is released,
 * and a consequence an aggregate event names but its stream lacks is written. It scans `$all`
 * from a checkpoint and looks only at events older than a grace period longer than an
 * append's deadline, so an append still in flight cannot land after the job judged it. A claim
 * already released, or followed by anything else on its reservation, is left alone; so is a
 * consequence whose stream moved on meanwhile (superseded).
 */
import { limits } from '@kob/kernel';
import type {
  EventStore,
  ExpectedRevision,
  Position,
  RecordedEvent,
  StreamAppend,
} from '../event-store.port';
import { WrongExpectedRevisionError } from '../errors';
import { RESERVATION_CLAIMED, readReservation } from '../reservations';
import {
  CLAIMED_FOR,
  CONSEQUENCES,
  type ClaimedFor,
  type Consequence,
  compensate,
} from './eventstoredb-multi-stream';

/** Events younger than this are not judged yet (well above the 10 s append deadline). */
export const RECOVERY_GRACE_MS = 60_000;

type EventRef = { streamId: string; eventId: string };

export interface RecoveryReport {
  /** Events looked at. */
  scanned: number;
  released: { streamId: string; claimEventId: string }[];
  /** Consequences written now (their first event). */
  followed: EventRef[];
  /** Consequences left out: their stream had moved on past the revision they expected. */
  superseded: EventRef[];
  /** Where the next run starts (the last event judged). */
  position: Position | null;
}

export async function recoverMultiStreamAppends(
  store: EventStore,
  options: { fromPosition?: Position | null; graceMs?: number; now?: Date } = {},
): Promise<RecoveryReport> {
  const cutoffMs = (options.now ?? new Date()).getTime() - (options.graceMs ?? RECOVERY_GRACE_MS);
  const report: RecoveryReport = {
    scanned: 0,
    released: [],
    followed: [],
    superseded: [],
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
      await judge(store, e, report);
    }
    if (events.length < limits.readAllBatchMax) break;
  }
  return report;
}

async function judge(store: EventStore, e: RecordedEvent, report: RecoveryReport): Promise<void> {
  if (e.type === RESERVATION_CLAIMED && e.metadata[CLAIMED_FOR]) {
    if (await releaseIfOrphaned(store, e)) {
      report.released.push({ streamId: e.streamId, claimEventId: e.id });
    }
  }
  const consequences = e.metadata[CONSEQUENCES] as Consequence[] | undefined;
  for (const c of consequences ?? []) {
    const outcome = await writeIfMissing(store, c);
    const ref = { streamId: c.streamId, eventId: c.events[0]!.id };
    if (outcome === 'written') report.followed.push(ref);
    if (outcome === 'superseded') report.superseded.push(ref);
  }
}

/** Writes a consequence unless its first event is already in its stream. */
async function writeIfMissing(
  store: EventStore,
  c: Consequence,
): Promise<'present' | 'written' | 'superseded'> {
  const expectedRevision = parseExpected(c.expectedRevision);
  const from = typeof expectedRevision === 'bigint' ? expectedRevision + 1n : 0n;
  const near = await store.readStream(c.streamId, {
    fromRevision: from,
    ...(expectedRevision === 'any' ? {} : { maxCount: c.events.length }),
  });
  if (near.some((e) => e.id === c.events[0]!.id)) return 'present';
  const append: StreamAppend = { streamId: c.streamId, events: c.events, expectedRevision };
  try {
    await store.appendMulti([append]);
    return 'written';
  } catch (err) {
    if (err instanceof WrongExpectedRevisionError) return 'superseded';
    throw err;
  }
}

function parseExpected(text: string): ExpectedRevision {
  return text === 'no_stream' || text === 'any' ? text : BigInt(text);
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
