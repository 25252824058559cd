/**
 * A milestone's release: only its escrow's client. The payout is sent after the append; the
 * answer is the payout this command started (on a replay: the first run's), else the one that
 * exists, with the milestone.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { latestPayoutOf } from '@kob/domain';
import { newId } from '@kob/kernel';
import { Committed } from '../../http/committed';
import { paymentStateView } from '../../payments/shared/payments.view';
import { EscrowCommands } from '../shared/escrow-commands';
import { milestoneNotFound } from '../shared/escrow-errors';
import { EscrowReader } from '../shared/escrow-reader';
import { milestoneStateView } from '../shared/escrows.view';
import { type ReleaseAnswer, ReleaseMilestoneCommand } from './release-milestone.command';

@CommandHandler(ReleaseMilestoneCommand)
export class ReleaseMilestoneHandler implements ICommandHandler<ReleaseMilestoneCommand> {
  constructor(
    private readonly escrows: EscrowReader,
    private readonly escrowCommands: EscrowCommands,
  ) {}

  async execute({
    origin,
    milestoneId,
  }: ReleaseMilestoneCommand): Promise<Committed<ReleaseAnswer>> {
    const row = await this.escrows.milestoneRow(milestoneId);
    const { escrow, metadata, now } = await this.escrowCommands.begin(
      origin,
      row.escrow_id,
      'client',
    );
    const result = await this.escrowCommands.run(
      {
        type: 'ApproveAndPayMilestone',
        escrowId: escrow.escrowId,
        milestoneId,
        paymentId: newId(),
        source: 'release',
        now,
      },
      metadata,
    );
    const started = result.paymentIds[0];
    const payout = started
      ? result.state.payments.find((p) => p.paymentId === started)
      : latestPayoutOf(result.state, milestoneId);
    const milestone = result.state.milestones.find((m) => m.milestoneId === milestoneId);
    if (!payout || !milestone) throw milestoneNotFound();
    return new Committed(
      {
        ...paymentStateView(result.state, payout),
        milestone: milestoneStateView(result.state, milestone),
      },
      result.position,
    );
  }
}
