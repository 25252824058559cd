/**
 * Removes a recipient from an owner's allowlist: 404 USER_NOT_FOUND for an unknown owner, then
 * recipient; the decider refuses an entry that is not there. The route never read an
 * Idempotency-Key, and still does not.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { allowlistDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { allowlistStream } from '../shared/transfer-streams';
import { requireUsers } from '../shared/transfer-users';
import { type RemoveRecipientAnswer, RemoveRecipientCommand } from './remove-recipient.command';

@CommandHandler(RemoveRecipientCommand)
export class RemoveRecipientHandler implements ICommandHandler<RemoveRecipientCommand> {
  constructor(private readonly commands: CommandRunner) {}

  async execute(command: RemoveRecipientCommand): Promise<Committed<RemoveRecipientAnswer>> {
    const { ownerId, recipientId } = command;
    await requireUsers(this.commands, [ownerId, recipientId]);
    const metadata = command.origin.metadata('none');
    const now = metadata.now.toISOString();
    const result = await this.commands.execute({
      streamId: allowlistStream(ownerId),
      decider: allowlistDecider,
      command: { type: 'RemoveRecipient', ownerId, recipientId, now },
      metadata,
    });
    return new Committed({ status: 'removed' }, result.position);
  }
}
