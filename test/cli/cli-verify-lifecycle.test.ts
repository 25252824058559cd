/**
 * `verify --all` and `replay` on escrows the service itself wrote through its HTTP API (funded,
 * one milestone paid out, one payout declined by the PSP): the ledger balances and every sampled
 * escrow's read-model rows agree with a fresh fold of its stream, and `replay` folds to what the
 * API's summary shows; an edited users row is named.
 */
import { distFile, runChild } from '../support/child';
import { projectionsCaughtUp } from '../support/caught-up';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedEscrow, withPspMode } from '../support/escrow-api-extra';
import { storeEnv } from '../support/stored-events';

const CLI = 'apps/cli/src/main.js';
let api: EscrowApi;
let env: Record<string, string>;
let paidOut: string;

beforeAll(async () => {
  api = await startEscrowApi();
  env = {
    DATABASE_URL: api.t.tdb.serviceUrl,
    ...storeEnv(api.t.platform),
    DATABASE_OWNER_URL: api.t.tdb.ownerUrl,
    APP_ENV: 'test',
  };
  const paid = await fundedEscrow(api, { total: '100.00', milestones: ['60.00', '40.00'] });
  expect((await api.release(paid.milestones[0]!)).statusCode).toBeLessThan(300);
  paidOut = paid.id;
  const declined = await fundedEscrow(api, { total: '50.00', milestones: ['50.00'] });
  await withPspMode(api, 'fail', () => api.release(declined.milestones[0]!));
  await fundedEscrow(api, { total: '10.00', deposit: null });
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
}, 60_000);
afterAll(() => api.close());

function cli(args: string[]) {
  return runChild(distFile(CLI), env, 60_000, args);
}

describe('kobatela verify --all and replay on escrows written by the service', () => {
  it('finds the ledger balanced and the rows in agreement with the fold', async () => {
    const r = await cli(['verify', '--all', '--json']);
    const answer = JSON.parse(r.stdout);
    expect(answer.first_break).toBeNull();
    expect(r.code).toBe(0);
    // Three escrows, the users the test API registered (client, provider, a stranger), their
    // keys, the support, auditor and bootstrap admin keys, and the alert of the declined payout.
    expect(answer.read_models).toMatchObject({ compared: 13, skipped: 0 });
    expect(answer.read_models.compared_by_category).toEqual({
      escrow: 3,
      user: 3,
      apikey: 6,
      alert: 1,
    });
    expect(answer.ledger.currencies).toBe(1);
  });

  it('replays an escrow to the state the API shows', async () => {
    const r = await cli(['replay', '--stream', `escrow-${paidOut}`, '--json']);
    expect(r.code).toBe(0);
    const { state } = JSON.parse(r.stdout);
    const summary = await api.summary(paidOut);
    expect(state.status).toBe(summary.escrow.status);
    expect(state.paid).toBe('60.00');
    expect(state.deposited).toBe('100.00');
  });

  it('names a users row edited behind the projector', async () => {
    const client = api.ids.client;
    await api.t.tdb.pool.query(`UPDATE users SET is_active = NOT is_active WHERE id = $1`, [
      client,
    ]);
    const r = await cli(['verify', '--all']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `first break: BROKEN read_model=user-${client} revision=\\d+: users\\.is_active is`,
      ),
    );
  });
});
