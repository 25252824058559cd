/**
 * Appends to several streams on EventStoreDB 6.x, which has no multi-stream transaction, in
 * steps: the facts that precede the command (`step: 'precedes'`), the reservation claims, the
 * command's one aggregate, its consequences (`step: 'follows'`), the releases last. A claim is
 * released at once when the aggregate's append surely failed.
 *
 * What this guarantees: a reservation is never released while its aggregate's events exist,
 * and never left claimed for an aggregate append that failed for sure (a conflict, a refusal):
 * its release is appended at once. A claim whose aggregate append had an unknown outcome
 * (connection lost, deadline) or whose writer died in between stays claimed until the recovery
 * job (multi-stream-recovery.ts) finds its aggregate events missing and releases it; each claim
 * names its aggregate's first event for that. The aggregate's first event names its
 * consequences in full (`consequences` in its metadata), so a consequence the writer could not
 * write (it died, the node stopped answering) is written by the recovery job; a consequence
 * whose stream moved on meanwhile (another outcome recorded, the alert already raised) is
 * superseded and left out. A preceding fact stands on its own (a due mandate's expiry) and
 * stays if the aggregate then fails. Releases are written after the aggregate: if that fails,
 * the reservation stays claimed (a name blocked, never a duplicate).
 *
 * What it does not: all-or-nothing visibility (a reader may see the claim before the
 * aggregate, or the aggregate before its consequences, and a compensated claim stays in the
 * reservation's history), and appends to two aggregates with no step between them (refused).
 * Conditions on streams only read cannot be held until the write either: each such stream is
 * pinned first (a read-pin event at the revision read, `pinConditions`), which orders the
 * decision against its writers at the cost of a write to the fact stream.
 */
import { randomUUID } from 'node:crypto';
import { READ_PIN_EVENT, type ReadPinData, isReadPin } from '@kob/kernel';
import type { AppendResult, NewEvent, StreamAppend, StreamCondition } from '../event-store.port';
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

/** Metadata of an aggregate's first event naming the appends that must follow it. */
export const CONSEQUENCES = 'consequences';

export interface Consequence {
  streamId: string;
  /** `no_stream`, `any`, or a revision in decimal (metadata is JSON: no bigint). */
  expectedRevision: string;
  events: NewEvent[];
}

/** Several aggregates in one step: EventStoreDB cannot make it atomic, nor compensate it. */
export class MultiStreamAppendUnsupportedError extends Error {
  constructor(readonly streamIds: string[]) {
    super(
      `EventStoreDB cannot append to ${streamIds.join(', ')} at once: one aggregate per append (with its reservations, preceding facts and consequences)`,
    );
    this.name = 'MultiStreamAppendUnsupportedError';
  }
}

interface Steps {
  precedes: StreamAppend[];
  claims: StreamAppend[];
  main: StreamAppend | undefined;
  follows: StreamAppend[];
  releases: StreamAppend[];
}

export async function appendInSteps(
  writer: StreamWriter,
  appends: StreamAppend[],
  conditions: readonly StreamCondition[],
): Promise<AppendResult[]> {
  validateAppendMulti(appends, conditions);
  if (appends.length === 1 && conditions.length === 0) return [await writer.append(appends[0]!)];
  const steps = planSteps(appends);
  await pinConditions(writer, conditions, steps.main ?? appends[0]!);
  const results = new Map<StreamAppend, AppendResult>();
  for (const fact of steps.precedes) results.set(fact, await writer.append(fact));
  const main = steps.main && withConsequences(steps.main, steps.follows);
  const claims = main ? steps.claims.map((c) => markClaim(c, main)) : steps.claims;
  const claimed = await writeClaims(writer, claims);
  steps.claims.forEach((c, i) => results.set(c, claimed[i]!.result));
  if (steps.main) results.set(steps.main, await writeMain(writer, main!, claimed));
  for (const follow of steps.follows) results.set(follow, await writeConsequence(writer, follow));
  for (const release of steps.releases) results.set(release, await writer.append(release));
  return appends.map((a) => results.get(a)!);
}

/** The appends sorted into their steps; at most one aggregate, which consequences need. */
function planSteps(appends: StreamAppend[]): Steps {
  const unstepped = appends.filter((a) => a.step === undefined);
  const claims = unstepped.filter(isClaim);
  const releases = unstepped.filter((a) => a.events.every((e) => e.type === RESERVATION_RELEASED));
  const others = unstepped.filter((a) => !claims.includes(a) && !releases.includes(a));
  const follows = appends.filter((a) => a.step === 'follows');
  if (others.length > 1 || (others.length === 0 && follows.length > 0)) {
    throw new MultiStreamAppendUnsupportedError([...others, ...follows].map((a) => a.streamId));
  }
  const precedes = appends.filter((a) => a.step === 'precedes');
  return { precedes, claims, main: others[0], follows, releases };
}

/** A claim, or a hand-over (the holder's release, then the new claim, in one append). */
function isClaim(append: StreamAppend): boolean {
  const types = append.events.map((e) => e.type);
  return (
    types.includes(RESERVATION_CLAIMED) &&
    types.every((t) => t === RESERVATION_CLAIMED || t === RESERVATION_RELEASED)
  );
}

/** The claim event of a claim append (the last claim of a hand-over). */
function claimEvent(append: StreamAppend): NewEvent {
  return append.events.filter((e) => e.type === RESERVATION_CLAIMED).at(-1)!;
}

/** The aggregate with its consequences named in its first event's metadata. */
function withConsequences(main: StreamAppend, follows: StreamAppend[]): StreamAppend {
  if (follows.length === 0) return main;
  const consequences: Consequence[] = follows.map((f) => ({
    streamId: f.streamId,
    expectedRevision: String(f.expectedRevision),
    events: f.events,
  }));
  const [first, ...rest] = main.events;
  return {
    ...main,
    events: [
      { ...first!, metadata: { ...first!.metadata, [CONSEQUENCES]: consequences } },
      ...rest,
    ],
  };
}

/** Attempts of one read pin that found only other pins after the revision read. */
const PIN_ATTEMPTS_MAX = 5;

/**
 * Pins each condition's stream at the revision read (a read-pin event appended at it), before
 * anything of the decision is written: a writer of that stream who committed after the read
 * makes the pin, and so the decision, fail with the typed conflict (the command reads and
 * decides again); one who read before the pin conflicts on it and reads again. Pins written by
 * other decisions since the read are no change of facts: the pin goes after them.
 */
async function pinConditions(
  writer: StreamWriter,
  conditions: readonly StreamCondition[],
  decision: StreamAppend,
): Promise<void> {
  if (conditions.length === 0) return;
  const first = decision.events[0]!;
  const {
    idempotencyKey: _key,
    idempotencyScope: _scope,
    requestHash: _hash,
    [CONSEQUENCES]: _consequences,
    ...metadata
  } = first.metadata;
  const data: ReadPinData = { decision: { streamId: decision.streamId, eventId: first.id } };
  for (const c of conditions) {
    let at = c.expectedRevision;
    for (let attempt = 1; ; attempt++) {
      const pin = { id: randomUUID(), type: READ_PIN_EVENT, data, metadata };
      try {
        await writer.append({ streamId: c.streamId, expectedRevision: at, events: [pin] });
        break;
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError) || attempt >= PIN_ATTEMPTS_MAX) throw err;
        const since = await writer.readFrom(c.streamId, at + 1n);
        if (since.length === 0 || !since.every(isReadPin)) {
          throw new WrongExpectedRevisionError(c.streamId, c.expectedRevision);
        }
        at = since.at(-1)!.revision;
      }
    }
  }
}

/** The claim's events, each naming the aggregate event it is written for. */
function markClaim(claim: StreamAppend, main: StreamAppend): StreamAppend {
  const claimedFor: ClaimedFor = { streamId: main.streamId, eventId: main.events[0]!.id };
  return {
    ...claim,
    events: claim.events.map((e) =>
      e.type === RESERVATION_CLAIMED
        ? { ...e, metadata: { ...e.metadata, [CLAIMED_FOR]: claimedFor } }
        : e,
    ),
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

/**
 * A consequence, after its aggregate was written. A conflict means its stream moved on (the
 * alert was already raised, another outcome recorded): superseded, its stream's head answers.
 * A failure leaves it to the recovery job, and the caller learns that the append's outcome is
 * not known in full.
 */
async function writeConsequence(writer: StreamWriter, follow: StreamAppend): Promise<AppendResult> {
  try {
    return await writer.append(follow);
  } catch (err) {
    if (err instanceof WrongExpectedRevisionError) {
      const head = await writer.headResult(follow.streamId);
      if (head) return head;
    }
    if (err instanceof EventStoreUnavailableError) {
      throw new EventStoreUnavailableError(err.failure, 'append', 'unknown', { cause: err });
    }
    throw err;
  }
}

function outcomeUnknown(err: unknown): boolean {
  return err instanceof EventStoreUnavailableError && err.appendOutcome === 'unknown';
}

async function releaseAll(writer: StreamWriter, claimed: Claimed[]): Promise<void> {
  for (const c of claimed)
    await compensate(writer, claimEvent(c.append), c.result, 'append failed');
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
