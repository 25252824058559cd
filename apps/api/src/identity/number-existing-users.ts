/**
 * At start: users registered before numbers existed get theirs, once, in registration order
 * (FRONTEND-CONTRACT §2, D3), before the service answers. The read model only says which users
 * may lack a number; each user's stream decides (a user numbered meanwhile, by another replica
 * starting at the same time, is left as it is), and each number is taken on the sequence stream
 * at the revision read, as a registration takes one.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandRunner } from '@kob/platform';
import { systemOrigin } from '../platform/command-origin';
import {
  LOGGER,
  type Logger,
  READ_MODELS,
  type ReadModelsDb,
} from '../platform/platform.providers';
import { numberUser } from './user-numbers';

/** Users numbered per read of the read model. */
const PAGE = 500;

@Injectable()
export class NumberExistingUsers implements OnApplicationBootstrap {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const numbered = await numberExistingUsers(this.commands, this.db);
      if (numbered > 0) this.logger.info({ numbered }, 'users registered before numbers numbered');
    } catch (err) {
      // The service runs without them (those users show a null number); the next start goes on.
      this.logger.error({ err }, 'numbering users registered before numbers failed');
    }
  }
}

/** Numbers every user the read model shows without a number, oldest first; how many it numbered. */
export async function numberExistingUsers(
  commands: CommandRunner,
  db: ReadModelsDb,
): Promise<number> {
  let numbered = 0;
  let after: { created_at: Date; id: string } | null = null;
  for (;;) {
    let query = db
      .selectFrom('users')
      .select(['id', 'created_at'])
      .where('number', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(PAGE);
    if (after) {
      const { created_at, id } = after;
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', created_at),
          eb.and([eb('created_at', '=', created_at), eb('id', '>', id)]),
        ]),
      );
    }
    const rows = await query.execute();
    for (const row of rows) {
      const metadata = systemOrigin('system:bootstrap').metadata('none');
      if (await numberUser({ commands }, row.id, metadata)) numbered++;
    }
    if (rows.length < PAGE) return numbered;
    const last = rows[rows.length - 1]!;
    after = { created_at: new Date(last.created_at), id: last.id };
  }
}
