/** Marking an escrow delivered: only its provider. */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Committed } from '../../http/committed';
import { EscrowCommands } from '../shared/escrow-commands';
import { EscrowReader } from '../shared/escrow-reader';
import { type EscrowRead, escrowStateView } from '../shared/escrows.view';
import { MarkDeliveredCommand } from './mark-delivered.command';

@CommandHandler(MarkDeliveredCommand)
export class MarkDeliveredHandler implements ICommandHandler<MarkDeliveredCommand> {
  constructor(
    private readonly escrows: EscrowReader,
    private readonly escrowCommands: EscrowCommands,
  ) {}

  async execute(command: MarkDeliveredCommand): Promise<Committed<EscrowRead>> {
    const { origin, note, proofUrl } = command;
    const escrow = await this.escrows.state(origin.actor, command.escrowId, 'provider');
    const metadata = origin.metadata('optional');
    const result = await this.escrowCommands.execute(
      {
        type: 'MarkDelivered',
        escrowId: escrow.escrowId,
        note,
        proofUrl,
        now: metadata.now.toISOString(),
      },
      metadata,
    );
    return new Committed(escrowStateView(result.state), result.position);
  }
}
