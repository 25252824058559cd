/** The client's decision: only the escrow's client; the payments it starts are sent after. */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@kob/kernel';
import type { Committed } from '../../http/committed';
import { EscrowCommands, type EscrowWithPayments } from '../shared/escrow-commands';
import { ClientRejectCommand } from './client-reject.command';

@CommandHandler(ClientRejectCommand)
export class ClientRejectHandler implements ICommandHandler<ClientRejectCommand> {
  constructor(private readonly escrowCommands: EscrowCommands) {}

  execute({ origin, escrowId, note }: ClientRejectCommand): Promise<Committed<EscrowWithPayments>> {
    return this.escrowCommands.act(origin, escrowId, 'client', (id, now) => ({
      type: 'ClientReject',
      escrowId: id,
      idSeed: newId(),
      note,
      now,
    }));
  }
}
