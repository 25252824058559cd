/**
 * Child process of the idempotency crash test: runs one tally command through the real platform
 * (config, pool, command runner) and prints the result as JSON. With
 * KOBATELA_TEST_CRASH_AFTER_APPEND=1 (and APP_ENV=test) the runner SIGKILLs this process right
 * after the append commits, before any answer could be given.
 */
import { loadConfig } from '@kob/config';
import { systemActor, newId } from '@kob/kernel';
import { tallyDecider } from '@kob/domain';
import { createLogger, openPlatform, type CommandMetadata } from '@kob/platform';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, APP_ENV: 'test' });
  const platform = await openPlatform(config, createLogger('silent'), {
    embedded: 'own',
    projectors: [],
    migrate: false,
    crashAfterAppend: process.env.KOBATELA_TEST_CRASH_AFTER_APPEND === '1',
  });
  const key = process.env.IDEM_KEY!;
  const metadata: CommandMetadata = {
    actor: systemActor('system:test'),
    commandId: newId(),
    correlationId: newId(),
    causationId: newId(),
    now: new Date(),
    idempotency: {
      key,
      scope: 'system:test|POST /tallies',
      requestHash: process.env.REQUEST_HASH ?? 'h1',
    },
  };
  const result =
    process.env.OP === 'create'
      ? await platform.commands.executeWithDerivedId({
          decider: tallyDecider,
          metadata,
          targetStream: (id) => `tally-${id}`,
          command: (id) => ({
            type: 'OpenTally' as const,
            tallyId: id,
            currency: 'USD',
            now: metadata.now.toISOString(),
          }),
        })
      : await platform.commands.execute({
          streamId: `tally-${process.env.TALLY_ID}`,
          decider: tallyDecider,
          command: {
            type: 'AddToTally',
            tallyId: process.env.TALLY_ID!,
            amount: '7.00',
            scale: 2,
            limit: null,
          },
          metadata: {
            ...metadata,
            idempotency: {
              ...metadata.idempotency!,
              scope: `system:test|POST /tallies/${process.env.TALLY_ID}/add`,
            },
          },
        });
  process.stdout.write(
    `${JSON.stringify({ streamId: result.streamId, replayed: result.replayed, events: result.events.map((e) => ({ type: e.type, revision: e.revision.toString(), data: e.data })) })}\n`,
  );
  await platform.close();
}

main().catch((err) => {
  process.stderr.write(`${(err as { code?: string }).code ?? ''} ${(err as Error).stack}\n`);
  process.exit(1);
});
