/**
 * Adds a recipient to an owner's allowlist: both users must exist (read from their streams); a
 * recipient already there appends nothing and answers `exists`.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { allowlistDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { executeOnTarget } from '../shared/execute-on-target';
import { allowlistStream } from '../shared/transfer-streams';
import { type AddRecipientAnswer, AddRecipientCommand } from './add-recipient.command';

@CommandHandler(AddRecipientCommand)
export class AddRecipientHandler implements ICommandHandler<AddRecipientCommand> {
  constructor(private readonly commands: CommandRunner) {}

  async execute(command: AddRecipientCommand): Promise<Committed<AddRecipientAnswer>> {
    const { ownerId, recipientId } = command;
    const target = {
      decider: allowlistDecider,
      streamId: allowlistStream(ownerId),
      users: [ownerId, recipientId],
    };
    const result = await executeOnTarget(
      this.commands,
      command.origin,
      target,
      (usersExist, now) => ({
        type: 'AddRecipient' as const,
        ownerId,
        recipientId,
        usersExist,
        now,
      }),
    );
    const status = result.events.length > 0 ? 'added' : 'exists';
    return new Committed({ status }, result.position);
  }
}
