/**
 * Escrows and milestones for queries (`GET /escrows…`): one row per escrow with its status and
 * confirmed deposits (all the money that came in, deposits given back on arrival included, as
 * the stream's `deposited`), one row per milestone with its status. Commands never read these
 * tables to decide anything about money; they decide on the escrow stream. The scheduler reads
 * them only to find escrows whose deadline passed.
 */
import { sql, type Transaction } from 'kysely';
import type { EscrowEvent } from '../../libs/domain/src/escrow/escrow.events';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';

async function setStatus(trx: Transaction<any>, escrowId: string, status: string, at: string): Promise<void> {
  await trx.updateTable('escrows').set({ status, updated_at: at }).where('id', '=', escrowId).execute();
}

async function setMilestone(trx: Transaction<any>, milestoneId: string, status: string): Promise<void> {
  await trx.updateTable('milestones').set({ status }).where('id', '=', milestoneId).execute();
}

async function applyOne(trx: Transaction<any>, e: EscrowEvent): Promise<void> {
  switch (e.type) {
    case 'escrow.created.v1': {
      const d = e.data;
      await trx
        .insertInto('escrows')
        .values({
          id: d.escrowId,
          client_id: d.clientId,
          provider_id: d.providerId,
          amount_total: d.amountTotal,
          currency: d.currency,
          scale: d.scale,
          status: 'DRAFT',
          domain: d.domain,
          release_conditions: JSON.stringify(d.releaseConditions),
          deadline_at: d.deadlineAt,
          deposited: '0',
          created_at: d.createdAt,
          updated_at: d.createdAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'escrow.deposit_confirmed.v1':
      await sql`UPDATE escrows SET deposited = deposited + ${e.data.amount}::numeric, updated_at = ${e.data.confirmedAt}
                WHERE id = ${e.data.escrowId}`.execute(trx);
      return;
    case 'escrow.funded.v1':
      return setStatus(trx, e.data.escrowId, 'FUNDED', e.data.fundedAt);
    case 'escrow.delivered.v1':
      return setStatus(trx, e.data.escrowId, 'RELEASABLE', e.data.deliveredAt);
    case 'escrow.cancelled.v1':
      return setStatus(trx, e.data.escrowId, 'CANCELLED', e.data.cancelledAt);
    case 'escrow.refunded.v1':
      return setStatus(trx, e.data.escrowId, 'REFUNDED', e.data.refundedAt);
    case 'escrow.released.v1':
      return setStatus(trx, e.data.escrowId, 'RELEASED', e.data.releasedAt);
    case 'milestone.approved.v1':
      return setMilestone(trx, e.data.milestoneId, 'APPROVED');
    case 'milestone.paid.v1':
      return setMilestone(trx, e.data.milestoneId, 'PAID');
    case 'milestone.reopened.v1':
      return setMilestone(trx, e.data.milestoneId, 'WAITING');
    case 'proof.submitted.v1':
      return setMilestone(trx, e.data.milestoneId, 'PENDING_REVIEW');
    case 'payment.initiated.v1':
    case 'payment.failed.v1':
      // A failed payout leaves its milestone open (PAYING) until a retry is sent.
      if (e.data.milestoneId) await setMilestone(trx, e.data.milestoneId, 'PAYING');
      return;
    case 'milestone.added.v1': {
      const d = e.data;
      await trx
        .insertInto('milestones')
        .values({
          id: d.milestoneId,
          escrow_id: d.escrowId,
          label: d.label,
          amount: d.amount,
          currency: d.currency,
          sequence_index: d.sequenceIndex,
          status: d.status,
          proof_kind: d.proofKind,
          proof_requirements: JSON.stringify(d.proofRequirements),
          geofence_lat: d.geofence?.lat ?? null,
          geofence_lng: d.geofence?.lng ?? null,
          geofence_radius_m: d.geofence?.radiusM ?? null,
          created_at: d.addedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    default:
      return;
  }
}

export const escrowsProjection = {
  name: 'escrows',
  version: 3,
  tables: ['escrows', 'milestones'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      if (!recorded.streamId.startsWith('escrow-')) continue;
      await applyOne(trx, recorded as unknown as EscrowEvent);
    }
  },
};
