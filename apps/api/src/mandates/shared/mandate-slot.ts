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
  releaseReservation,
} from '@kob/event-store';
import { type MandateState, mandateDecider, mandateIsPastExpiry } from '@kob/domain';
import { DomainError, assert, newId } from '@kob/kernel';
import { type CommandMetadata, type Platform, eventMetadataOf } from '@kob/platform';

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

/**
 * The slot for a new mandate: free → claim; held by an ACTIVE mandate not yet due → 409
 * ACTIVE_MANDATE_EXISTS; held by one past its expiry → that mandate expired (`replaced`) at
 * the revision read, and the slot handed over, in this same append.
 */
export async function takeSlot(
  platform: Platform,
  key: SlotKey,
  mandateId: string,
  metadata: CommandMetadata,
): Promise<StreamAppend[]> {
  const meta = eventMetadataOf(metadata);
  const slot = await readSlot(platform, key);
  const appends: StreamAppend[] = [];
  if (slot.holder) {
    const holderStream = `mandate-${slot.holder}`;
    const { state, revision } = await platform.commands.read(holderStream, mandateDecider);
    if (state.exists && state.status === 'ACTIVE') {
      if (!mandateIsPastExpiry(state, metadata.now.toISOString())) {
        throw new DomainError(
          'ACTIVE_MANDATE_EXISTS',
          'an active mandate already exists for this sender, beneficiary and currency',
          'conflict',
          {
            mandate_id: state.mandateId,
          },
        );
      }
      const events = mandateDecider.decide(
        {
          type: 'ExpireMandate',
          mandateId: state.mandateId,
          reason: 'replaced',
          now: metadata.now.toISOString(),
        },
        state,
      );
      assert(
        events.length === 1 && revision !== null,
        `${holderStream} is due but its expiry decided nothing`,
      );
      appends.push({
        streamId: holderStream,
        expectedRevision: revision,
        events: events.map((e) => ({ id: newId(), type: e.type, data: e.data, metadata: meta })),
        // A due mandate's expiry stands on its own: where appends are not atomic it is written
        // first, and stays if the new mandate then fails.
        step: 'precedes',
      });
    }
  }
  appends.push(handOverSlot(slot.state, mandateId, meta, newId));
  return appends;
}

/** Releases the mandate's slot if it still holds it (in the append that ends the mandate). */
export async function releaseSlot(
  platform: Platform,
  mandate: MandateState,
  metadata: CommandMetadata,
): Promise<StreamAppend[]> {
  const slot = await readSlot(platform, mandate);
  if (slot.holder !== mandate.mandateId) return [];
  return [
    releaseReservation(
      slot.state,
      slotOwner(mandate.mandateId),
      eventMetadataOf(metadata),
      newId(),
    ),
  ];
}
