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
import { allUsersExist } from '../shared/transfer-users';
import { type AddRecipientAnswer, AddRecipientCommand } from './add-recipient.command';

@CommandHandler(AddRecipientCommand)
export class AddRecipientHandler implements ICommandHandler<AddRecipientCommand> {
  constructor(private readonly commands: CommandRunner) {}

  async execute(command: AddRecipientCommand): Promise<Committed<AddRecipientAnswer>> {
    const { ownerId, recipientId } = command;
    const metadata = command.origin.metadata('optional');
    const usersExist = await allUsersExist(this.commands, [ownerId, recipientId]);
    const now = metadata.now.toISOString();
    const result = await executeOnTarget(
      this.commands,
      allowlistDecider,
      metadata,
      allowlistStream(ownerId),
      { type: 'AddRecipient', ownerId, recipientId, usersExist, now },
    );
    const status = result.events.length > 0 ? 'added' : 'exists';
    return new Committed({ status }, result.position);
  }
}
