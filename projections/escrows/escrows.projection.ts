/**
 * Escrows and milestones for queries (`GET /escrows…`): one row per escrow with its status and
 * confirmed deposits (all the money that came in, deposits given back on arrival included, as
 * the stream's `deposited`), one row per milestone with its status. Commands never read these
 * tables to decide anything about money; they decide on the escrow stream. The scheduler reads
 * them only to find escrows whose deadline passed.
 */
import type { Insertable } from 'kysely';
import type { EscrowEvent } from '@kob/domain';
import { batchProjector, columnsFrom, fromStreams } from '../projector-shell';
import type { RowBatch } from '../row-batch';
import type { EscrowsTable } from './escrows.table';
import type { MilestonesTable } from './milestones.table';

type DataOf<T extends EscrowEvent['type']> = Extract<EscrowEvent, { type: T }>['data'];

function escrowRow(d: DataOf<'escrow.created.v1'>): Insertable<EscrowsTable> {
  return {
    id: d.escrowId,
    ...columnsFrom(d, ['clientId', 'providerId', 'amountTotal', 'currency', 'scale', 'domain']),
    status: 'DRAFT',
    release_conditions: JSON.stringify(d.releaseConditions),
    deadline_at: d.deadlineAt,
    deposited: '0',
    created_at: d.createdAt,
    updated_at: d.createdAt,
  };
}

function milestoneRow(d: DataOf<'milestone.added.v1'>): Insertable<MilestonesTable> {
  return {
    id: d.milestoneId,
    ...columnsFrom(d, [
      'escrowId',
      'label',
      'amount',
      'currency',
      'sequenceIndex',
      'status',
      'proofKind',
    ]),
    proof_requirements: JSON.stringify(d.proofRequirements),
    geofence_lat: d.geofence?.lat ?? null,
    geofence_lng: d.geofence?.lng ?? null,
    geofence_radius_m: d.geofence?.radiusM ?? null,
    created_at: d.addedAt,
  };
}

/** Folds one event into the batch's escrow and milestone changes. */
function applyOne(
  escrows: RowBatch<'escrows'>,
  milestones: RowBatch<'milestones'>,
  e: EscrowEvent,
): void {
  const status = (escrowId: string, value: string, at: string) =>
    escrows.set(escrowId, { status: value, updated_at: at });
  const milestone = (milestoneId: string, value: string) =>
    milestones.set(milestoneId, { status: value });
  switch (e.type) {
    case 'escrow.created.v1':
      return escrows.insert(e.data.escrowId, escrowRow(e.data));
    case 'escrow.deposit_confirmed.v1':
      escrows.add(e.data.escrowId, 'deposited', e.data.amount);
      escrows.set(e.data.escrowId, { updated_at: e.data.confirmedAt });
      return;
    case 'escrow.funded.v1':
      return status(e.data.escrowId, 'FUNDED', e.data.fundedAt);
    case 'escrow.delivered.v1':
      return status(e.data.escrowId, 'RELEASABLE', e.data.deliveredAt);
    case 'escrow.cancelled.v1':
      return status(e.data.escrowId, 'CANCELLED', e.data.cancelledAt);
    case 'escrow.refunded.v1':
      return status(e.data.escrowId, 'REFUNDED', e.data.refundedAt);
    case 'escrow.released.v1':
      return status(e.data.escrowId, 'RELEASED', e.data.releasedAt);
    case 'milestone.approved.v1':
      return milestone(e.data.milestoneId, 'APPROVED');
    case 'milestone.paid.v1':
      return milestone(e.data.milestoneId, 'PAID');
    case 'milestone.reopened.v1':
      return milestone(e.data.milestoneId, 'WAITING');
    case 'proof.submitted.v1':
      return milestone(e.data.milestoneId, 'PENDING_REVIEW');
    case 'payment.initiated.v1':
    case 'payment.failed.v1':
      // A failed payout leaves its milestone open (PAYING) until a retry is sent.
      if (e.data.milestoneId) milestone(e.data.milestoneId, 'PAYING');
      return;
    case 'milestone.added.v1':
      return milestones.insert(e.data.milestoneId, milestoneRow(e.data));
    default:
      return;
  }
}

// A batch's changes are gathered in event order, then written in a few statements.
export const escrowsProjection = batchProjector<EscrowEvent, 'escrows' | 'milestones'>(
  { name: 'escrows', version: 3, tables: ['escrows', 'milestones'], reads: fromStreams('escrow-') },
  ['escrows', 'milestones'],
  (b, e) => applyOne(b.escrows, b.milestones, e),
);
