/**
 * The uniqueness reservations a command claims in the same atomic append as its events (a PSP
 * reference, a username, a key prefix): read each one, refuse one already taken by another owner.
 */
import { newId } from '@kob/kernel';
import {
  type EventStore,
  type ReservationState,
  type StreamAppend,
  claimReservation,
  readReservation,
} from '@kob/event-store';
import { eventMetadataOf } from './command-metadata';
import type { CommandMetadata, ReservationClaim } from './command-types';

export interface ClaimedReservations {
  /** The claims' appends. */
  extra: StreamAppend[];
  /** The reservation streams claimed while they did not exist yet. */
  claimedNew: string[];
}

/**
 * The claims of a command on a stream named by the caller. `verified`: the decision was made on a
 * state just read from the store; on a cached one, a taken reservation may be this very command
 * recorded by another process, so the answer is `stale` (decide again on a fresh state).
 */
export async function claimOnStream(
  store: EventStore,
  claims: readonly ReservationClaim[],
  metadata: CommandMetadata,
  at: { firstAttempt: boolean; verified: boolean },
): Promise<ClaimedReservations | 'stale'> {
  const claimed: ClaimedReservations = { extra: [], claimedNew: [] };
  for (const claim of claims) {
    const reservation =
      claim.likelyNew && at.firstAttempt
        ? unreadReservation(claim.streamId)
        : await readReservation(store, claim.streamId);
    // Already ours (a retry, a later step of the same deposit): nothing to claim.
    if (reservation.status === 'claimed' && reservation.owner === claim.owner) continue;
    if (reservation.status === 'claimed') {
      // On a cached state the taken slot may be this very command, recorded by another
      // process: decide again on a fresh state (where its key is seen) before refusing.
      if (!at.verified) return 'stale';
      throw claim.taken();
    }
    claimed.extra.push(claimOne(reservation, claim, metadata));
    if (reservation.revision === 'no_stream') claimed.claimedNew.push(claim.streamId);
  }
  return claimed;
}

/** The claims of a command on a derived stream: any reservation already taken is refused. */
export async function claimAll(
  store: EventStore,
  claims: readonly ReservationClaim[],
  metadata: CommandMetadata,
): Promise<StreamAppend[]> {
  const extra: StreamAppend[] = [];
  for (const claim of claims) {
    const reservation = await readReservation(store, claim.streamId);
    if (reservation.status === 'claimed') throw claim.taken();
    extra.push(claimOne(reservation, claim, metadata));
  }
  return extra;
}

function claimOne(
  reservation: ReservationState,
  claim: ReservationClaim,
  metadata: CommandMetadata,
): StreamAppend {
  return claimReservation(
    reservation,
    claim.owner,
    claim.data ?? {},
    eventMetadataOf(metadata),
    newId(),
  );
}

/** A reservation taken to be new without reading it (`likelyNew`, first attempt). */
function unreadReservation(streamId: string): ReservationState {
  return { streamId, status: 'free', owner: null, data: null, revision: 'no_stream' };
}
