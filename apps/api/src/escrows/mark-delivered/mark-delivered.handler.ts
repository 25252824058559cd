/** Marking an escrow delivered: only its provider. */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Committed } from '../../http/committed';
import { EscrowCommands } from '../shared/escrow-commands';
import { type EscrowRead, escrowStateView } from '../shared/escrows.view';
import { MarkDeliveredCommand } from './mark-delivered.command';

@CommandHandler(MarkDeliveredCommand)
export class MarkDeliveredHandler implements ICommandHandler<MarkDeliveredCommand> {
  constructor(private readonly escrowCommands: EscrowCommands) {}

  async execute(command: MarkDeliveredCommand): Promise<Committed<EscrowRead>> {
    const { origin, note, proofUrl } = command;
    const { escrow, metadata, now } = await this.escrowCommands.begin(
      origin,
      command.escrowId,
      'provider',
    );
    const result = await this.escrowCommands.execute(
      { type: 'MarkDelivered', escrowId: escrow.escrowId, note, proofUrl, now },
      metadata,
    );
    return new Committed(escrowStateView(result.state), result.position);
  }
}
