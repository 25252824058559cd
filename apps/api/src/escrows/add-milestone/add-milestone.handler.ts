/**
 * Adding a milestone: only the escrow's client, an amount in the escrow's currency, a geofence
 * given whole or not at all. Its id is derived from the request's idempotency key when there is
 * one, so a retry answers the same milestone.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Geofence } from '@kob/domain';
import { newId, uuidV5 } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { Currencies } from '../../platform/currencies';
import { EscrowCommands } from '../shared/escrow-commands';
import { milestoneNotFound } from '../shared/escrow-errors';
import { EscrowReader } from '../shared/escrow-reader';
import { type MilestoneRead, milestoneStateView } from '../shared/escrows.view';
import { AddMilestoneCommand, type NewMilestone } from './add-milestone.command';

/** All three of latitude, longitude and radius, or none (422 otherwise). */
function geofenceOf({ lat, lng, radiusM }: NewMilestone['geofence']): Geofence | null {
  const given = [lat, lng, radiusM];
  if (given.some((g) => g !== undefined) && given.some((g) => g === undefined)) {
    throw new ApiError(
      422,
      'VALIDATION_ERROR',
      'a geofence needs geofence_lat, geofence_lng and geofence_radius_m',
      {
        fields: {
          geofence: ['give all three of geofence_lat, geofence_lng, geofence_radius_m, or none'],
        },
      },
    );
  }
  return lat !== undefined ? { lat, lng: lng!, radiusM: radiusM! } : null;
}

@CommandHandler(AddMilestoneCommand)
export class AddMilestoneHandler implements ICommandHandler<AddMilestoneCommand> {
  constructor(
    private readonly escrows: EscrowReader,
    private readonly escrowCommands: EscrowCommands,
    private readonly currencies: Currencies,
  ) {}

  async execute({
    origin,
    escrowId,
    milestone,
  }: AddMilestoneCommand): Promise<Committed<MilestoneRead>> {
    const escrow = await this.escrows.state(origin.actor, escrowId, 'client');
    const amount = this.currencies.parse(milestone.amount, escrow.currency, 'amount');
    const metadata = origin.metadata('optional');
    const geofence = geofenceOf(milestone.geofence);
    const milestoneId = metadata.idempotency
      ? uuidV5(`${metadata.idempotency.scope}\n${metadata.idempotency.key}`)
      : newId();
    const result = await this.escrowCommands.execute(
      {
        type: 'AddMilestone',
        escrowId: escrow.escrowId,
        milestoneId,
        label: milestone.label,
        amount: amount.toString(),
        currency: milestone.currency,
        sequenceIndex: milestone.sequenceIndex,
        proofKind: milestone.proofKind,
        proofRequirements: milestone.proofRequirements,
        geofence,
        now: metadata.now.toISOString(),
      },
      metadata,
    );
    const added = result.state.milestones.find((m) => m.milestoneId === milestoneId);
    if (!added) throw milestoneNotFound();
    return new Committed(milestoneStateView(result.state, added), result.position);
  }
}
