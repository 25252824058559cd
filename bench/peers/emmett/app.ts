/**
 * The Emmett peer's HTTP API, a child process of `npm run bench -- --peer` as our API is one
 * (bench/peer.bench.ts starts it from dist/): Express through Emmett's `getApplication` and `on`,
 * Emmett's PostgreSQL event store on its own database, one inline Pongo projection.
 * - `POST /escrows` `{ amount_total, currency }` opens an escrow (the seeding, not measured);
 * - `POST /escrows/:id/deposit` `{ amount }` with an `Idempotency-Key` header: Emmett's
 *   `CommandHandler` reads the escrow's stream, decides, appends the confirmation with the stream
 *   version it read and projects it inline, retrying on a version conflict; the answer is the
 *   escrow and the deposit (`CONFIRMED`), as the load generator checks ours;
 * - `GET /health`.
 * Every request must carry `X-API-Key` equal to `PEER_API_KEY` (a constant-time comparison: the
 * cheapest authentication there is, where ours verifies a stored key). Listens on 127.0.0.1 on a
 * port the system picks and prints `listening <port>` on stdout once the schema is migrated.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { CommandHandler, STREAM_DOES_NOT_EXIST, projections } from '@event-driven-io/emmett';
import {
  BadRequest,
  Created,
  HttpProblem,
  OK,
  getApplication,
  on,
} from '@event-driven-io/emmett-expressjs';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import {
  type EscrowOpened,
  type EscrowState,
  decideDeposit,
  escrowSummaries,
  evolve,
  initialState,
} from './escrow';

/** As many connections as our API's pool (libs/platform: `poolMax` 20). */
const POOL_CONNECTIONS = 20;
const IDEMPOTENCY_KEY_LENGTH_MAX = 255;
/** Up to 13 integer digits and at most 2 decimals, above zero (ours: the currency's minor unit). */
const AMOUNT = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const apiKey = Buffer.from(required('PEER_API_KEY'));

function authenticated(request: Request): boolean {
  const given = Buffer.from(request.header('x-api-key') ?? '');
  return given.length === apiKey.length && timingSafeEqual(given, apiKey);
}

function cents(amount: unknown): number | null {
  if (typeof amount !== 'string' || !AMOUNT.test(amount)) return null;
  const [whole, fraction = ''] = amount.split('.');
  const value = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return value > 0 ? value : null;
}

const money = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

function escrowRead(state: EscrowState, depositId: string) {
  if (state.status === 'missing') throw new Error('an escrow read after a deposit must exist');
  return {
    id: state.escrowId,
    status: state.status,
    currency: state.currency,
    amount_total: money(state.totalCents),
    deposited: money(state.depositedCents),
    deposit: { id: depositId, amount: money(state.deposits[depositId]!), status: 'CONFIRMED' },
  };
}

const unauthorized = () => HttpProblem(401, { problemDetails: 'a valid X-API-Key is required' });

async function main(): Promise<void> {
  const connectionString = required('DATABASE_URL');
  const pool = new Pool({ connectionString, max: POOL_CONNECTIONS });
  const eventStore = getPostgreSQLEventStore(connectionString, {
    connectionOptions: { pool },
    projections: projections.inline([escrowSummaries]),
  });
  await eventStore.schema.migrate();
  const handle = CommandHandler({ evolve, initialState, retry: { onVersionConflict: true } });

  const app = getApplication({
    apis: [
      (router) => {
        router.get(
          '/health',
          on(() => OK({ body: { status: 'ok' } })),
        );
        router.post(
          '/escrows',
          on(async (request: Request) => {
            if (!authenticated(request)) return unauthorized();
            const totalCents = cents(request.body?.amount_total);
            const currency = request.body?.currency;
            if (totalCents === null || typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
              return BadRequest({ problemDetails: 'amount_total and currency are required' });
            const escrowId = randomUUID();
            const opened: EscrowOpened = {
              type: 'escrow.opened.v1',
              data: { escrowId, currency, totalCents, openedAt: new Date().toISOString() },
            };
            await eventStore.appendToStream(`escrow-${escrowId}`, [opened], {
              expectedStreamVersion: STREAM_DOES_NOT_EXIST,
            });
            return Created({ createdId: escrowId, url: `/escrows/${escrowId}` });
          }),
        );
        router.post(
          '/escrows/:id/deposit',
          on(async (request: Request<{ id: string }>) => {
            if (!authenticated(request)) return unauthorized();
            const key = request.header('idempotency-key');
            if (!key || key.length > IDEMPOTENCY_KEY_LENGTH_MAX)
              return BadRequest({ problemDetails: 'a deposit needs an Idempotency-Key' });
            const escrowId = request.params.id;
            if (!UUID.test(escrowId))
              return HttpProblem(404, { problemDetails: 'Escrow not found.' });
            const amountCents = cents(request.body?.amount);
            if (amountCents === null)
              return HttpProblem(422, { problemDetails: 'amount must be a positive decimal' });
            const command = {
              escrowId,
              depositId: key,
              amountCents,
              now: new Date().toISOString(),
            };
            const { newState } = await handle(eventStore, `escrow-${escrowId}`, (state) =>
              decideDeposit(command, state),
            );
            return OK({ body: escrowRead(newState, key) });
          }),
        );
      },
    ],
  });

  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void eventStore
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`emmett peer failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
