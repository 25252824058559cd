/**
 * Revoking a key: appended, dropped from this process's key cache at once, and in force before
 * the answer for every replica (the key lookup's read models must have it, else 503).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { apiKeyDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Authenticator } from '../../auth/authenticator';
import { Committed } from '../../http/committed';
import { apiKeyStream } from '../shared/identity-streams';
import { RevokeApiKeyCommand } from './revoke-api-key.command';

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly authenticator: Authenticator,
  ) {}

  async execute({ origin, keyId }: RevokeApiKeyCommand): Promise<Committed<void>> {
    const metadata = origin.metadata('none');
    const result = await this.commands.execute({
      streamId: apiKeyStream(keyId),
      decider: apiKeyDecider,
      command: { type: 'RevokeApiKey', keyId, now: metadata.now.toISOString() },
      metadata,
    });
    this.authenticator.keyRevoked(keyId);
    return new Committed(undefined, result.position, { mode: 'in-force' });
  }
}
