/** The deadline check: any party of the escrow, or support; the payments it starts are sent after. */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newId } from '@kob/kernel';
import type { Committed } from '../../http/committed';
import { EscrowCommands, type EscrowWithPayments } from '../shared/escrow-commands';
import { CheckDeadlineCommand } from './check-deadline.command';

@CommandHandler(CheckDeadlineCommand)
export class CheckDeadlineHandler implements ICommandHandler<CheckDeadlineCommand> {
  constructor(private readonly escrowCommands: EscrowCommands) {}

  execute({ origin, escrowId }: CheckDeadlineCommand): Promise<Committed<EscrowWithPayments>> {
    return this.escrowCommands.act(origin, escrowId, undefined, (id, now) => ({
      type: 'CheckDeadline',
      escrowId: id,
      idSeed: newId(),
      now,
    }));
  }
}
