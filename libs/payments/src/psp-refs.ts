/**
 * PSP references → escrow streams. A reference is reserved (`psp-ref-{ref}`) in the same append
 * that records it on the escrow stream (a deposit confirmation, a payment sent), so the webhook
 * finds its escrow through the reservation, never through a read model that may lag. A webhook
 * for a reference not recorded yet leaves a `psp.webhook_parked.v1` marker on that reservation
 * stream; whoever records the reference applies the webhooks parked there.
 */
import { DomainError } from '../../kernel/src';
import type { ReservationClaim } from '../../platform/src';

export const pspRefStream = (pspRef: string) => `psp-ref-${pspRef}`;

export interface PspRefOwner {
  /** The escrow stream that recorded the reference. */
  stream: string;
  kind: 'deposit' | 'payment';
  id: string;
}

export function pspRefClaim(pspRef: string, escrowId: string, kind: PspRefOwner['kind'], id: string): ReservationClaim {
  const data: PspRefOwner = { stream: `escrow-${escrowId}`, kind, id };
  return {
    streamId: pspRefStream(pspRef),
    owner: `${kind}:${id}`,
    data: { ...data },
    taken: () =>
      new DomainError('PSP_REFERENCE_IN_USE', 'the PSP answered with a reference already recorded for something else', 'conflict', {
        kind,
        id,
      }),
  };
}
