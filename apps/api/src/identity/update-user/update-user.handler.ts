/**
 * Updating a user: in force before the answer, for every replica (a deactivated user's keys are
 * refused from the next request on: the users read model must have it, else 503).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { userDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { userStream } from '../shared/identity-streams';
import { type UserRead, userStateView } from '../shared/user.view';
import { UpdateUserCommand } from './update-user.command';

@CommandHandler(UpdateUserCommand)
export class UpdateUserHandler implements ICommandHandler<UpdateUserCommand> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ origin, userId, change }: UpdateUserCommand): Promise<Committed<UserRead>> {
    const metadata = origin.metadata('optional');
    const result = await this.commands.execute({
      streamId: userStream(userId),
      decider: userDecider,
      command: {
        type: 'UpdateUser',
        userId,
        ...(change.is_active !== undefined ? { isActive: change.is_active } : {}),
        ...(change.public_tag !== undefined ? { publicTag: change.public_tag } : {}),
        ...(change.role !== undefined ? { role: change.role } : {}),
        now: metadata.now.toISOString(),
      },
      metadata,
    });
    return new Committed(userStateView(result.state), result.position, { mode: 'in-force' });
  }
}
