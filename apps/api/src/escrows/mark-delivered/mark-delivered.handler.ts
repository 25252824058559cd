/** Marking an escrow delivered: its provider or its client (FRONTEND-CONTRACT.md A3), or admin. */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Committed } from '../../http/committed';
import { EscrowCommands } from '../shared/escrow-commands';
import { EscrowReader } from '../shared/escrow-reader';
import type { EscrowRead } from '../shared/escrows.view';
import { MarkDeliveredCommand } from './mark-delivered.command';

@CommandHandler(MarkDeliveredCommand)
export class MarkDeliveredHandler implements ICommandHandler<MarkDeliveredCommand> {
  constructor(
    private readonly escrowCommands: EscrowCommands,
    private readonly escrows: EscrowReader,
  ) {}

  async execute(command: MarkDeliveredCommand): Promise<Committed<EscrowRead>> {
    const { origin, note, proofUrl } = command;
    // Either party (A3): no money moves, and FUNDED → RELEASABLE only stops milestone edits,
    // which are the client's own.
    const { escrow, metadata, now } = await this.escrowCommands.begin(
      origin,
      command.escrowId,
      undefined,
    );
    const result = await this.escrowCommands.execute(
      { type: 'MarkDelivered', escrowId: escrow.escrowId, note, proofUrl, now },
      metadata,
    );
    return new Committed(await this.escrows.view(result.state), result.position);
  }
}
