/**
 * First start: if no admin key was ever bootstrapped, issue one. A `bootstrap-admin-key`
 * reservation claimed in the same append as the key makes this happen exactly once, also when
 * several replicas start together. BOOTSTRAP_ADMIN_API_KEY is used when set; otherwise a key is
 * generated and printed once on stdout (never logged), except under APP_ENV=test.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError, newId, systemActor } from '@kob/kernel';
import { readReservation } from '@kob/event-store';
import type { Platform } from '@kob/platform';
import { LOGGER, PLATFORM } from '../tokens';
import { issueApiKey } from './issue-api-key';
import { AUTH_PROJECTORS } from '../http/read-your-writes';

export const BOOTSTRAP_RESERVATION = 'bootstrap-admin-key';

class AlreadyBootstrapped extends DomainError {
  constructor() {
    super('ALREADY_BOOTSTRAPPED', 'an admin key was bootstrapped before', 'conflict');
  }
}

@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, store } = this.platform;
    if ((await readReservation(store, BOOTSTRAP_RESERVATION)).status === 'claimed') return;
    const id = newId();
    const metadata = {
      actor: systemActor('system:bootstrap'),
      commandId: id,
      correlationId: id,
      causationId: id,
      now: new Date(),
    };
    try {
      const issued = await issueApiKey(this.platform, metadata, {
        name: 'bootstrap admin',
        scope: 'admin',
        userId: null,
        expiresAt: null,
        ...(config.bootstrapAdminApiKey ? { key: config.bootstrapAdminApiKey } : {}),
        claims: [
          {
            streamId: BOOTSTRAP_RESERVATION,
            owner: 'system:bootstrap',
            taken: () => new AlreadyBootstrapped(),
          },
        ],
      });
      if (issued.position)
        await this.platform.projections.waitFor(issued.position, config.inlineProjectionWaitMs, {
          projectors: AUTH_PROJECTORS,
        });
      this.logger.info(
        { keyId: issued.keyId, prefix: issued.prefix },
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
