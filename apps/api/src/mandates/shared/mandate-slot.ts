/**
 * The slot of one ACTIVE mandate per (sender, beneficiary, currency): a reservation stream
 * (`mandate-slot-{hmac}`) claimed by `mandate:{id}` in the same atomic append as
 * `mandate.created.v1`, released in the same append as `mandate.consumed.v1` or
 * `mandate.expired.v1`. A purchase finds its mandate through the slot's owner, never through a
 * read model (which may lag).
 */
import {
  type AppendMetadata,
  type ReservationState,
  type StreamAppend,
  RESERVATION_CLAIMED,
  RESERVATION_RELEASED,
  readReservation,
} from '@kob/event-store';
import { assert } from '@kob/kernel';
import type { Platform } from '@kob/platform';

export interface SlotKey {
  senderId: string;
  beneficiaryId: string;
  currency: string;
}

export const slotOwner = (mandateId: string) => `mandate:${mandateId}`;

export function slotStream(platform: Platform, key: SlotKey): Promise<string> {
  return platform.reservationStream(
    'mandate-slot',
    `${key.senderId}\n${key.beneficiaryId}\n${key.currency}`,
  );
}

export async function readSlot(
  platform: Platform,
  key: SlotKey,
): Promise<{ stream: string; state: ReservationState; holder: string | null }> {
  const stream = await slotStream(platform, key);
  const state = await readReservation(platform.store, stream);
  const holder =
    state.status === 'claimed' && state.owner?.startsWith('mandate:')
      ? state.owner.slice('mandate:'.length)
      : null;
  assert(state.status === 'free' || holder !== null, `${stream} is claimed by a non-mandate owner`);
  return { stream, state, holder };
}

/**
 * One append on the slot stream at the revision read: release the current holder (if any) and
 * claim it for `mandateId`. A racing writer moves the head and this append conflicts.
 */
export function handOverSlot(
  state: ReservationState,
  mandateId: string,
  metadata: AppendMetadata,
  newId: () => string,
): StreamAppend {
  const events = [];
  if (state.status === 'claimed') {
    events.push({
      id: newId(),
      type: RESERVATION_RELEASED,
      data: { owner: state.owner },
      metadata,
    });
  }
  events.push({
    id: newId(),
    type: RESERVATION_CLAIMED,
    data: { owner: slotOwner(mandateId), mandateId },
    metadata,
  });
  return {
    streamId: state.streamId,
    expectedRevision: state.revision,
    ...(state.headHash ? { expectedHeadHash: state.headHash } : {}),
    events,
  };
}
