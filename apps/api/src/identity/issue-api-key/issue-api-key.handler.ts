/**
 * Issuing a key: the linked user must exist (read from its stream), the expiry is counted from
 * the command's clock, the key is drawn and stored as its HMAC (issue-api-key.ts). The answer
 * waits for the key lookup's read models: the key works from the answer on.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { AUTH_PROJECTORS } from '../../http/read-your-writes';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { requireUser } from '../user-lookup';
import { type IssuedApiKeyAnswer, IssueApiKeyCommand } from './issue-api-key.command';
import { issueApiKey } from './issue-api-key';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS_VALID = 90;

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKeyCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ origin, spec }: IssueApiKeyCommand): Promise<Committed<IssuedApiKeyAnswer>> {
    const platform = { commands: this.commands, config: this.config };
    if (spec.userId) await requireUser(platform, spec.userId, 'Linked user not found.');
    const metadata = origin.metadata('none');
    const daysValid = spec.daysValid === undefined ? DEFAULT_DAYS_VALID : spec.daysValid;
    const expiresAt =
      daysValid === null
        ? null
        : new Date(metadata.now.getTime() + daysValid * DAY_MS).toISOString();
    const { name, scope, userId, key, claims } = spec;
    const issued = await issueApiKey(platform, metadata, {
      name,
      scope,
      userId,
      expiresAt,
      ...(key ? { key } : {}),
      ...(claims ? { claims } : {}),
    });
    const answer: IssuedApiKeyAnswer = {
      id: issued.keyId,
      name,
      prefix: issued.prefix,
      scope,
      user_id: userId,
      key: issued.key,
      expires_at: expiresAt,
      created_at: metadata.now.toISOString(),
    };
    // The key works from this answer on, whatever other read model is behind.
    return new Committed(answer, issued.position, { projectors: AUTH_PROJECTORS });
  }
}
