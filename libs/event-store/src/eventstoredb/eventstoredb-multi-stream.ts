/**
 * Appends to several streams on EventStoreDB 6.x, which has no multi-stream transaction: the
 * reservations first, then the aggregate, with a compensating release when the aggregate's
 * append surely failed.
 *
 * What this guarantees: a reservation is never released while its aggregate's events exist,
 * and never left claimed for an aggregate append that failed for sure (a conflict, a refusal):
 * its release is appended at once. A claim whose aggregate append had an unknown outcome
 * (connection lost, deadline) or whose writer died in between stays claimed until the recovery
 * job (reservation-recovery.ts) finds its aggregate events missing and releases it; each claim
 * names its aggregate's first event for that. Releases of reservations are written after the
 * aggregate: if that fails, the reservation stays claimed (a name blocked, never a duplicate).
 *
 * What it does not: all-or-nothing visibility (a reader may see the claim before the
 * aggregate, and a compensated claim stays in the reservation's history), appends to two
 * aggregates at once (refused), and conditions on streams only read that hold until the write
 * (they are checked just before it: a writer of such a stream in between is not ordered).
 */
import { randomUUID } from 'node:crypto';
import type { AppendResult, StreamAppend, StreamCondition } from '../event-store.port';
import { WrongExpectedRevisionError } from '../errors';
import { validateAppendMulti } from '../append-rules';
import {
  RESERVATION_CLAIMED,
  RESERVATION_RELEASED,
  type ReservationClaimedData,
} from '../reservations';
import { EventStoreUnavailableError } from './eventstoredb-errors';
import type { StreamWriter } from './eventstoredb-writer';

/** Metadata of a claim naming the aggregate event it was written for (the recovery job's clue). */
export const CLAIMED_FOR = 'claimedFor';

export interface ClaimedFor {
  streamId: string;
  eventId: string;
}

/** Several aggregates in one append: EventStoreDB cannot make it atomic, nor compensate it. */
export class MultiStreamAppendUnsupportedError extends Error {
  constructor(readonly streamIds: string[]) {
    super(
      `EventStoreDB cannot append to ${streamIds.join(', ')} at once: one aggregate per append (with its reservations)`,
    );
    this.name = 'MultiStreamAppendUnsupportedError';
  }
}

export async function appendInSteps(
  writer: StreamWriter,
  appends: StreamAppend[],
  conditions: readonly StreamCondition[],
): Promise<AppendResult[]> {
  validateAppendMulti(appends, conditions);
  await checkConditions(writer, conditions);
  if (appends.length === 1) return [await writer.append(appends[0]!)];
  const only = (type: string) => (a: StreamAppend) => a.events.every((e) => e.type === type);
  const claims = appends.filter(only(RESERVATION_CLAIMED));
  const releases = appends.filter(only(RESERVATION_RELEASED));
  const others = appends.filter((a) => !claims.includes(a) && !releases.includes(a));
  if (others.length > 1) throw new MultiStreamAppendUnsupportedError(others.map((a) => a.streamId));
  const main = others[0];
  const results = new Map<StreamAppend, AppendResult>();
  const claimed = await writeClaims(writer, main ? claims.map((c) => markClaim(c, main)) : claims);
  claims.forEach((c, i) => results.set(c, claimed[i]!.result));
  if (main) results.set(main, await writeMain(writer, main, claimed));
  for (const release of releases) results.set(release, await writer.append(release));
  return appends.map((a) => results.get(a)!);
}

/** Each condition's stream is at its revision now (checked before the write, not with it). */
async function checkConditions(
  writer: StreamWriter,
  conditions: readonly StreamCondition[],
): Promise<void> {
  for (const c of conditions) {
    const head = await writer.head(c.streamId);
    if (head?.revision !== c.expectedRevision) {
      throw new WrongExpectedRevisionError(c.streamId, c.expectedRevision);
    }
  }
}

/** The claim's events, each naming the aggregate event it is written for. */
function markClaim(claim: StreamAppend, main: StreamAppend): StreamAppend {
  const claimedFor: ClaimedFor = { streamId: main.streamId, eventId: main.events[0]!.id };
  return {
    ...claim,
    events: claim.events.map((e) => ({
      ...e,
      metadata: { ...e.metadata, [CLAIMED_FOR]: claimedFor },
    })),
  };
}

type Claimed = { append: StreamAppend; result: AppendResult };

/** Claims one by one; a claim refused releases those already written. */
async function writeClaims(writer: StreamWriter, claims: StreamAppend[]): Promise<Claimed[]> {
  const done: Claimed[] = [];
  for (const append of claims) {
    try {
      done.push({ append, result: await writer.append(append) });
    } catch (err) {
      if (!outcomeUnknown(err)) await releaseAll(writer, done);
      throw err;
    }
  }
  return done;
}

async function writeMain(
  writer: StreamWriter,
  main: StreamAppend,
  claimed: Claimed[],
): Promise<AppendResult> {
  try {
    return await writer.append(main);
  } catch (err) {
    // Written or not, nobody knows yet: the recovery job decides once the aggregate is settled.
    if (!outcomeUnknown(err)) await releaseAll(writer, claimed);
    throw err;
  }
}

function outcomeUnknown(err: unknown): boolean {
  return err instanceof EventStoreUnavailableError && err.appendOutcome === 'unknown';
}

async function releaseAll(writer: StreamWriter, claimed: Claimed[]): Promise<void> {
  for (const c of claimed) await compensate(writer, c.append.events[0]!, c.result, 'append failed');
}

/**
 * Appends the release of a claim right after it (at its revision: if anything else was written
 * there since, the claim is no longer this writer's to release and the conflict is thrown).
 */
export async function compensate(
  writer: Pick<StreamWriter, 'append'>,
  claim: StreamAppend['events'][number],
  at: { streamId: string; nextRevision: bigint; headHash: string },
  reason: string,
): Promise<AppendResult> {
  const { owner } = claim.data as ReservationClaimedData;
  // The claim's own chain links and clue are not the release's.
  const { [CLAIMED_FOR]: _for, prevHash: _prev, hash: _hash, ...metadata } = claim.metadata;
  return writer.append({
    streamId: at.streamId,
    expectedRevision: at.nextRevision,
    expectedHeadHash: at.headHash,
    events: [
      {
        id: randomUUID(),
        type: RESERVATION_RELEASED,
        data: { owner, compensates: claim.id, reason },
        metadata: { ...metadata, causationId: claim.id, occurredAt: new Date().toISOString() },
      },
    ],
  });
}
