/**
 * Idempotency in the command runner (API-RULES.md §4): the keys a stream has seen (rebuilt from
 * its events' metadata), the id derived from (scope, key), and the replay of a first answer.
 */
import { createHash } from 'node:crypto';
import { assert, uuidV5 } from '@kob/kernel';
import { type Decider, type DomainEvent, foldEvents } from '@kob/domain';
import {
  type EventStore,
  type Position,
  type RecordedEvent,
  type ReservationState,
  RESERVATION_CLAIMED,
  comparePositions,
} from '@kob/event-store';
import {
  type AppendedEvent,
  type CommandResult,
  type IdempotencyContext,
  idempotencyInProgress,
  idempotencyKeyReused,
} from './command-types';
import type { CachedStream, SeenKey } from './stream-state-cache';

/**
 * How a stream's state keeps a key it has seen: (scope, key) and the request hash each as 128
 * bits of SHA-256 in base64url (22 characters). The state keeps an entry for every key its
 * stream was ever sent (a busy escrow's deposits, thousands), in every process that caches it,
 * so an entry must not grow with the client's key (up to 255 characters) or the scope (user,
 * route and path): the joined text, the 64-character hex hash and two bigints cost about 450
 * bytes per deposit, these two digests and two small integers about 160. 128 bits keep a
 * collision out of reach, and a collision could only confuse one client's own keys on one stream.
 */
export function scopedKey(idem: { scope: string; key: string }): string {
  return digest128(`${idem.scope}\n${idem.key}`);
}

/** The request hash as a seen key keeps it (see `scopedKey`). */
export function keptRequestHash(requestHash: string): string {
  return digest128(requestHash);
}

function digest128(text: string): string {
  // A fresh flat string of 22 characters (a slice of a longer one would keep the longer alive).
  return createHash('sha256').update(text, 'utf8').digest().toString('base64url', 0, 16);
}

/** A revision as a seen key keeps it: a small integer, not a bigint (a heap object each). */
export function keptRevision(revision: bigint): number {
  const n = Number(revision);
  assert(Number.isSafeInteger(n), `revision ${revision} is beyond what a seen key can hold`);
  return n;
}

/** The id of a stream created or chosen by a command run under this key. */
export function derivedId(idem: IdempotencyContext): string {
  return uuidV5(`${idem.scope}\n${idem.key}`);
}

/** The key as this stream has seen it, or undefined; refuses a key seen with another request. */
export function seenKey(
  cached: CachedStream,
  idem: IdempotencyContext | undefined,
): SeenKey | undefined {
  if (!idem) return undefined;
  const seen = cached.idempotency.get(scopedKey(idem));
  if (seen && seen.requestHash !== keptRequestHash(idem.requestHash)) throw idempotencyKeyReused();
  return seen;
}

/** Rebuilds the seen-keys map from event metadata: consecutive events of one command. */
export function rememberKey(map: CachedStream['idempotency'], e: RecordedEvent): void {
  const { idempotencyKey, idempotencyScope, requestHash } = e.metadata;
  if (
    typeof idempotencyKey !== 'string' ||
    typeof idempotencyScope !== 'string' ||
    e.type === RESERVATION_CLAIMED
  )
    return;
  const k = scopedKey({ scope: idempotencyScope, key: idempotencyKey });
  const seen = map.get(k);
  const revision = keptRevision(e.revision);
  if (seen && seen.toRevision === revision - 1) map.set(k, { ...seen, toRevision: revision });
  else if (!seen)
    map.set(k, {
      requestHash: keptRequestHash(String(requestHash)),
      fromRevision: revision,
      toRevision: revision,
    });
}

/**
 * The first answer of a derived-id command whose `idem-{id}` reservation is claimed, else null:
 * the reservation names the target, whose events under this key are replayed.
 */
export async function replayClaimed<S, E extends DomainEvent>(
  store: EventStore,
  states: { load<T>(streamId: string, decider: Decider<T, any, any>): Promise<CachedStream> },
  reservation: ReservationState,
  idem: IdempotencyContext,
  decider: Decider<S, any, E>,
): Promise<CommandResult<S, E> | null> {
  if (reservation.status !== 'claimed') return null;
  const data = reservation.data as unknown as { target: string; requestHash: string };
  if (data.requestHash !== idem.requestHash) throw idempotencyKeyReused();
  const owner = await states.load(data.target, decider);
  const seen = owner.idempotency.get(scopedKey(idem));
  // In PostgreSQL the claim and its target commit together, so this cannot happen; where they
  // are two writes (EventStoreDB) a retry can come between them: answer it, never fail.
  if (!seen) throw idempotencyInProgress();
  return replayKey<S, E>(store, data.target, decider, seen);
}

/** The first answer of the command a seen key names. */
export function replayKey<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, any, E>,
  seen: SeenKey,
): Promise<CommandResult<S, E>> {
  return replay<S, E>(store, streamId, decider, BigInt(seen.fromRevision), BigInt(seen.toRevision));
}

/**
 * The first answer again: the events that command appended, and the state as it was right
 * after them (folded up to their last revision), never today's state.
 */
export async function replay<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, any, E>,
  fromRevision: bigint,
  toRevision: bigint,
): Promise<CommandResult<S, E>> {
  const history = await store.readStream(streamId, { maxCount: Number(toRevision + 1n) });
  const state = foldEvents(decider, history);
  const recorded = history.filter((e) => e.revision >= fromRevision && e.revision <= toRevision);
  assert(
    recorded.length === Number(toRevision - fromRevision + 1n),
    `replay of ${streamId} found a gap`,
  );
  return {
    streamId,
    state,
    events: recorded.map((e) => ({
      type: e.type,
      data: e.data,
      streamId,
      revision: e.revision,
    })) as AppendedEvent<E>[],
    revision: toRevision,
    // The first answer's position, so a client retrying after a lost answer can still read.
    position: recorded.reduce<Position | null>(
      (p, e) => (p === null || comparePositions(e.position, p) > 0 ? e.position : p),
      null,
    ),
    replayed: true,
  };
}
