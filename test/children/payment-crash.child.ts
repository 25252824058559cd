/**
 * Child process of the payment crash test: releases one milestone (ApproveAndPayMilestone through
 * the payment services' escrow actions, as `POST /escrows/milestones/{id}/release` does) as the
 * escrow's client. With KOBATELA_TEST_CRASH_AFTER_APPEND=1 the command runner SIGKILLs this
 * process right after the append that records `payment.initiated.v1` commits, before the PSP is
 * called. Every PSP call is announced on stdout (`psp transfer <idempotency key>`) synchronously
 * before it is made, so the test knows whether one started; without the crash the result is
 * printed as JSON.
 *
 * Env: DATABASE_URL, ESCROW_ID, MILESTONE_ID, PAYMENT_ID, CLIENT_ID, CLIENT_KEY_ID,
 * CLIENT_KEY_PREFIX, and optionally IDEM_KEY: the Idempotency-Key of the release, with the scope
 * and request hash the HTTP route computes, so a retry over HTTP replays this release.
 */
import { writeSync } from 'node:fs';
import { loadConfig } from '@kob/config';
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
    crashAfterAppend: env.KOBATELA_TEST_CRASH_AFTER_APPEND === '1',
  });
  const psp = platform.psp;
  const transfer = psp.transfer.bind(psp);
  psp.transfer = (request) => {
    say(`psp transfer ${request.idempotencyKey}`);
    return transfer(request);
  };
  const collect = psp.collect.bind(psp);
  psp.collect = (request) => {
    say(`psp collect ${request.idempotencyKey}`);
    return collect(request);
  };
  const services = createPaymentServices(platform);
  const escrowId = env.ESCROW_ID!;
  const milestoneId = env.MILESTONE_ID!;
  const actor = {
    kind: 'api_key' as const,
    keyId: env.CLIENT_KEY_ID!,
    keyPrefix: env.CLIENT_KEY_PREFIX!,
    scope: 'sender' as const,
    userId: env.CLIENT_ID!,
  };
  const path = `/escrows/milestones/${encodeURIComponent(milestoneId)}/release`;
  const metadata = requestMetadata(actor, 'POST', path, undefined, env.IDEM_KEY);
  const command = {
    type: 'ApproveAndPayMilestone' as const,
    escrowId,
    milestoneId,
    paymentId: env.PAYMENT_ID!,
    source: 'release' as const,
    now: metadata.now.toISOString(),
  };
  const result = await services.actions.run(escrowId, command, metadata);
  say(
    JSON.stringify({
      paymentIds: result.paymentIds,
      payments: result.state.payments.map((p) => ({ id: p.paymentId, status: p.status })),
    }),
  );
  await platform.close();
}

main().catch((err) => {
  process.stderr.write(`${(err as { code?: string }).code ?? ''} ${(err as Error).stack}\n`);
  process.exit(1);
});
