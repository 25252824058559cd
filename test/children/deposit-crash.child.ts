/**
 * Child process of the deposit crash test (issue 12): deposits into an escrow as its client, the
 * way `POST /escrows/{id}/deposit` does (same idempotency scope and request hash, so the client's
 * retry over HTTP is the same request). Its PSP is the simulator with a journal shared with the
 * test's own process (PSP_SIMULATOR_JOURNAL): one PSP, whichever process asks it. With
 * CRASH_AFTER_COLLECT=1 the child announces the PSP's answer on stdout (`psp collected <key>
 * <reference>`) and SIGKILLs itself right after it, before that answer is recorded: the money is
 * at the PSP, only the deposit's initiation is on the escrow. Without it, the result is printed.
 *
 * Env: DATABASE_URL, PSP_SIMULATOR_JOURNAL, ESCROW_ID, AMOUNT, IDEM_KEY, CLIENT_ID,
 * CLIENT_KEY_ID, CLIENT_KEY_PREFIX, CRASH_AFTER_COLLECT.
 */
import { writeSync } from 'node:fs';
import { loadConfig } from '@kob/config';
import { Money } from '@kob/kernel';
import { createPaymentServices } from '../../apps/api/src/payments/shared';
import { createLogger, openPlatform } from '@kob/platform';
import { requestMetadata } from './request-metadata';

const say = (line: string) => writeSync(1, `${line}\n`);

async function main(): Promise<void> {
  const env = process.env;
  const config = loadConfig({ ...env, APP_ENV: 'test' });
  const platform = await openPlatform(config, createLogger('silent'), {
    embedded: 'own',
    projectors: [],
    migrate: false,
  });
  const psp = platform.psp;
  const collect = psp.collect.bind(psp);
  psp.collect = async (request) => {
    const answer = await collect(request);
    say(`psp collected ${request.idempotencyKey} ${answer.pspRef}`);
    if (env.CRASH_AFTER_COLLECT === '1') process.kill(process.pid, 'SIGKILL');
    return answer;
  };
  const services = createPaymentServices(platform);
  const escrowId = env.ESCROW_ID!;
  const actor = {
    kind: 'api_key' as const,
    keyId: env.CLIENT_KEY_ID!,
    keyPrefix: env.CLIENT_KEY_PREFIX!,
    scope: 'sender' as const,
    userId: env.CLIENT_ID!,
  };
  const path = `/escrows/${encodeURIComponent(escrowId)}/deposit`;
  const body = { amount: env.AMOUNT! };
  const metadata = requestMetadata(actor, 'POST', path, body, env.IDEM_KEY!);
  const { deposits } = services;
  const recorded = await platform.commands.exclusive(`escrow-${escrowId}`, async (hold) => {
    const escrow = await deposits.escrow(escrowId);
    return deposits.record(
      escrow,
      Money.parse(body.amount, escrow.currency, config.currencies),
      metadata,
      hold,
    );
  });
  const result = await deposits.finish(escrowId, recorded, metadata);
  say(JSON.stringify(result.deposit));
  await platform.close();
}

main().catch((err) => {
  process.stderr.write(`${(err as { code?: string }).code ?? ''} ${(err as Error).stack}\n`);
  process.exit(1);
});
