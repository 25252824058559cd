/**
 * First start: if no admin key was ever bootstrapped, issue one. A `bootstrap-admin-key`
 * reservation claimed in the same append as the key makes this happen exactly once, also when
 * several replicas start together. BOOTSTRAP_ADMIN_API_KEY is used when set; otherwise a key is
 * generated and printed once on stdout (never logged), except under APP_ENV=test.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainError } from '@kob/kernel';
import { type EventStore, readReservation } from '@kob/event-store';
import { ProjectionRunner } from '@kob/platform';
import { AUTH_PROJECTORS } from '../http/read-your-writes';
import { systemOrigin } from '../platform/command-origin';
import {
  APP_CONFIG,
  type AppConfig,
  EVENT_STORE,
  LOGGER,
  type Logger,
} from '../platform/platform.providers';
import { IssueApiKeyCommand } from './issue-api-key/issue-api-key.command';
import { IssueApiKeyHandler } from './issue-api-key/issue-api-key.handler';

export const BOOTSTRAP_RESERVATION = 'bootstrap-admin-key';

class AlreadyBootstrapped extends DomainError {
  constructor() {
    super('ALREADY_BOOTSTRAPPED', 'an admin key was bootstrapped before', 'conflict');
  }
}

/** The first start's admin key: what `POST /apikeys` issues, claimed once for good. */
function bootstrapCommand(config: AppConfig): IssueApiKeyCommand {
  return new IssueApiKeyCommand(systemOrigin('system:bootstrap'), {
    name: 'bootstrap admin',
    scope: 'admin',
    userId: null,
    daysValid: null,
    ...(config.bootstrapAdminApiKey ? { key: config.bootstrapAdminApiKey } : {}),
    claims: [
      {
        streamId: BOOTSTRAP_RESERVATION,
        owner: 'system:bootstrap',
        taken: () => new AlreadyBootstrapped(),
      },
    ],
  });
}

@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  constructor(
    private readonly issueApiKey: IssueApiKeyHandler,
    private readonly projections: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    if ((await readReservation(this.store, BOOTSTRAP_RESERVATION)).status === 'claimed') return;
    try {
      const { answer: issued, position } = await this.issueApiKey.execute(bootstrapCommand(config));
      if (position)
        await this.projections.waitFor(position, config.inlineProjectionWaitMs, {
          projectors: AUTH_PROJECTORS,
        });
      this.logger.info(
        { keyId: issued.id, prefix: issued.prefix },
        'bootstrap admin API key issued',
      );
      if (!config.bootstrapAdminApiKey && config.appEnv !== 'test') {
        process.stdout.write(
          `\nBootstrap admin API key (shown once, store it now): ${issued.key}\n` +
            'Use it as "X-API-Key" to create users and keys; revoke it when you have your own admin key.\n\n',
        );
      }
    } catch (err) {
      if (err instanceof AlreadyBootstrapped) return;
      throw err;
    }
  }
}
