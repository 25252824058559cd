/** The client's decision: only the escrow's client; the payments it starts are sent after. */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@kob/kernel';
import type { Committed } from '../../http/committed';
import { EscrowCommands, type EscrowWithPayments } from '../shared/escrow-commands';
import { ClientApproveCommand } from './client-approve.command';

@CommandHandler(ClientApproveCommand)
export class ClientApproveHandler implements ICommandHandler<ClientApproveCommand> {
  constructor(private readonly escrowCommands: EscrowCommands) {}

  execute({
    origin,
    escrowId,
    note,
  }: ClientApproveCommand): Promise<Committed<EscrowWithPayments>> {
    return this.escrowCommands.act(origin, escrowId, 'client', (id, now) => ({
      type: 'ClientApprove',
      escrowId: id,
      idSeed: newId(),
      note,
      now,
    }));
  }
}
