/**
 * Certifies a user (who must exist, read from its stream): `created` for a first certification,
 * `updated` for a new level, `unchanged` (nothing appended) for the same one.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { certificationDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { executeOnTarget } from '../shared/execute-on-target';
import { certificationStream } from '../shared/transfer-streams';
import { type CertifyAnswer, CertifyCommand } from './certify.command';

@CommandHandler(CertifyCommand)
export class CertifyHandler implements ICommandHandler<CertifyCommand> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ origin, userId, level }: CertifyCommand): Promise<Committed<CertifyAnswer>> {
    const target = {
      decider: certificationDecider,
      streamId: certificationStream(userId),
      users: [userId],
    };
    const result = await executeOnTarget(this.commands, origin, target, (userExists, now) => ({
      type: 'Certify' as const,
      userId,
      userExists,
      level,
      now,
    }));
    const first = result.events[0];
    const status = !first ? 'unchanged' : first.revision === 0n ? 'created' : 'updated';
    return new Committed({ status }, result.position);
  }
}
