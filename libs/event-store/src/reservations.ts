/**
 * Reservations: uniqueness enforced by streams, not read models (which may lag). A reservation
 * stream (`idem-{uuid}`, `email-{hash}`, `proof-sha-{hash}` …) holds claim and release events;
 * a claim is appended at the exact revision read (or `no_stream`), so of two racing claimants
 * exactly one wins, and a released slot can be claimed again. Claims travel in the same atomic
 * append as the aggregate they protect (`appendMulti`).
 */
import { DomainError, copyWith } from '@kob/kernel';
import type {
  AppendMetadata,
  EventStore,
  ExpectedRevision,
  StreamAppend,
} from './event-store.port';

export const RESERVATION_CLAIMED = 'reservation.claimed.v1';
export const RESERVATION_RELEASED = 'reservation.released.v1';

export interface ReservationClaimedData {
  owner: string;
  [extra: string]: unknown;
}

export interface ReservationState {
  streamId: string;
  status: 'free' | 'claimed';
  owner: string | null;
  data: ReservationClaimedData | null;
  revision: ExpectedRevision;
  headHash?: string;
}

export async function readReservation(
  store: EventStore,
  streamId: string,
): Promise<ReservationState> {
  const events = await store.readStream(streamId);
  let state: ReservationState = {
    streamId,
    status: 'free',
    owner: null,
    data: null,
    revision: 'no_stream',
  };
  for (const e of events) {
    // Any event moves the head: the next claim or release must name it.
    state = { ...state, revision: e.revision, headHash: e.metadata.hash };
    if (e.type === RESERVATION_CLAIMED) {
      const data = e.data as ReservationClaimedData;
      state = {
        streamId,
        status: 'claimed',
        owner: data.owner,
        data,
        revision: e.revision,
        headHash: e.metadata.hash,
      };
    } else if (e.type === RESERVATION_RELEASED) {
      state = {
        streamId,
        status: 'free',
        owner: null,
        data: null,
        revision: e.revision,
        headHash: e.metadata.hash,
      };
    }
  }
  return state;
}

export class ReservationTakenError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly owner: string | null,
  ) {
    super('RESERVATION_TAKEN', `${streamId} is already claimed`, 'conflict', { owner });
  }
}

/** The append that claims a free reservation at the revision it was read. */
export function claimReservation(
  state: ReservationState,
  owner: string,
  data: Record<string, unknown>,
  metadata: AppendMetadata,
  eventId: string,
): StreamAppend {
  if (state.status === 'claimed') throw new ReservationTakenError(state.streamId, state.owner);
  return {
    streamId: state.streamId,
    expectedRevision: state.revision,
    ...(state.headHash ? { expectedHeadHash: state.headHash } : {}),
    events: [{ id: eventId, type: RESERVATION_CLAIMED, data: copyWith(data, { owner }), metadata }],
  };
}

/** The append that releases a reservation held by `owner`. */
export function releaseReservation(
  state: ReservationState,
  owner: string,
  metadata: AppendMetadata,
  eventId: string,
): StreamAppend {
  if (state.status !== 'claimed' || state.owner !== owner) {
    throw new DomainError('RESERVATION_NOT_HELD', `${state.streamId} is not held by ${owner}`);
  }
  return {
    streamId: state.streamId,
    expectedRevision: state.revision,
    ...(state.headHash ? { expectedHeadHash: state.headHash } : {}),
    events: [{ id: eventId, type: RESERVATION_RELEASED, data: { owner }, metadata }],
  };
}
