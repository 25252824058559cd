/**
 * PSP references → escrow streams. A reference is reserved (`psp-ref-{keyed hash of the ref}`) in
 * the same append that records it on the escrow stream (a deposit, a payment sent), so the
 * webhook finds its escrow through the reservation, never through a read model that may lag. The
 * stream is named by a keyed hash (like email reservations) so the reference, which the audit
 * trail masks, does not show in stream ids. A webhook for a reference not recorded yet leaves a
 * `psp.webhook_parked.v1` marker on that reservation stream; whoever records the reference
 * applies the webhooks parked there.
 */
import { DomainError } from '@kob/kernel';
import type { Platform, ReservationClaim } from '@kob/platform';

export const pspRefStream = (platform: Platform, pspRef: string): Promise<string> =>
  platform.reservationStream('psp-ref', pspRef);

/**
 * Whether a command that recorded `claim` may have left webhooks parked on its reference to
 * apply: not when it claimed the reservation stream before anything was written there.
 */
export function mayHaveParked(result: { claimedNew?: string[] }, claim: ReservationClaim): boolean {
  return !result.claimedNew?.includes(claim.streamId);
}

export interface PspRefOwner {
  /** The escrow stream that recorded the reference. */
  stream: string;
  kind: 'deposit' | 'payment';
  id: string;
}

export async function pspRefClaim(
  platform: Platform,
  pspRef: string,
  escrowId: string,
  kind: PspRefOwner['kind'],
  id: string,
): Promise<ReservationClaim> {
  const data: PspRefOwner = { stream: `escrow-${escrowId}`, kind, id };
  return {
    streamId: await pspRefStream(platform, pspRef),
    owner: `${kind}:${id}`,
    data: { ...data },
    // The PSP has just issued it: its stream exists only if a webhook for it arrived first.
    likelyNew: true,
    taken: () =>
      new DomainError(
        'PSP_REFERENCE_IN_USE',
        'the PSP answered with a reference already recorded for something else',
        'conflict',
        {
          kind,
          id,
        },
      ),
  };
}
