/**
 * A crash between the PSP's collection and its record (issue 12): a child process deposits and is
 * SIGKILLed right after the PSP answered "collected", before the answer is appended. Because the
 * deposit's initiation was committed before the PSP was asked, the escrow shows the deposit
 * PENDING, and recovery (the scheduler's job, or the client's retry with the same
 * Idempotency-Key) asks the same PSP again under the same key: the deposit is confirmed with the
 * reference the PSP first gave, credited once, and the PSP collected once. The PSP is one
 * simulator whose memory of keys (a journal file) both processes share, as a real PSP's is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { escrowJobLimits, paymentRecoveryJob } from '../../apps/api/src/jobs';
import { distFile, runChild } from '../support/child';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { projectionsCaughtUp } from '../support/caught-up';
import { storeEnv } from '../support/stored-events';

const CHILD = 'test/children/deposit-crash.child.js';

let api: EscrowApi;
let dir: string;
let journal: string;
let clientKey: { id: string; prefix: string };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'deposit-crash-'));
  journal = path.join(dir, 'psp.jsonl');
  api = await startEscrowApi({ PSP_SIMULATOR_JOURNAL: journal });
  const row = await api.t.platform.db
    .selectFrom('api_keys')
    .select(['id', 'prefix'])
    .where('user_id', '=', api.ids.client)
    .executeTakeFirstOrThrow();
  clientKey = { id: row.id, prefix: row.prefix };
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const typesOf = async (escrowId: string) =>
  (await api.t.platform.store.readStream(`escrow-${escrowId}`)).map((e) => e.type);

/** The collections the PSP made under a key (lines of its journal): once, or the money moved twice. */
const collectionsOf = (key: string) =>
  readFileSync(journal, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { key: string; outcome: { pspRef: string } })
    .filter((l) => l.key === key);

/** Deposits into a fresh escrow in a child that dies right after the PSP collected. */
async function crashedDeposit(
  amount: string,
  idemKey: string,
): Promise<{ escrowId: string; depositId: string; pspRef: string }> {
  const escrowId = await api.escrow({ amount_total: amount });
  const crashed = await runChild(distFile(CHILD), {
    DATABASE_URL: api.t.tdb.url,
    ...storeEnv(api.t.platform),
    PSP_SIMULATOR_JOURNAL: journal,
    ESCROW_ID: escrowId,
    AMOUNT: amount,
    IDEM_KEY: idemKey,
    CLIENT_ID: api.ids.client,
    CLIENT_KEY_ID: clientKey.id,
    CLIENT_KEY_PREFIX: clientKey.prefix,
    CRASH_AFTER_COLLECT: '1',
  });
  expect(crashed.signal).toBe('SIGKILL');
  const [, , depositId, pspRef] = crashed.stdout.trim().split(' ');
  expect(crashed.stdout.trim()).toMatch(/^psp collected \S+ SIM-\S+$/);
  // The intent is on the escrow; the PSP's answer is not.
  expect(await typesOf(escrowId)).toEqual(['escrow.created.v1', 'escrow.deposit_initiated.v1']);
  expect(collectionsOf(depositId!)).toHaveLength(1);
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
  const summary = await api.summary(escrowId);
  expect(summary.deposits).toEqual([
    expect.objectContaining({ id: depositId, status: 'PENDING', psp_ref: null, amount }),
  ]);
  expect(summary.balances).toMatchObject({ deposited: '0.00', pending_deposits: amount });
  return { escrowId, depositId: depositId!, pspRef: pspRef! };
}

async function expectSettledOnce(
  escrowId: string,
  depositId: string,
  pspRef: string,
  amount: string,
): Promise<void> {
  const s = await api.summary(escrowId);
  expect(s.escrow.status).toBe('FUNDED');
  expect(s.deposits).toEqual([
    expect.objectContaining({ id: depositId, status: 'CONFIRMED', psp_ref: pspRef }),
  ]);
  expect(s.balances).toMatchObject({ deposited: amount, held: amount, pending_deposits: '0.00' });
  const types = await typesOf(escrowId);
  expect(types.filter((t) => t === 'escrow.deposit_confirmed.v1')).toHaveLength(1);
  expect(collectionsOf(depositId)).toHaveLength(1);
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
  const ledger = (await api.call('GET', `/escrows/${escrowId}/ledger`, api.keys.support)).json();
  expect(JSON.stringify(ledger)).toContain(amount);
}

describe('a crash between the PSP collecting a deposit and its record', () => {
  it('control: without the crash the child records the confirmation itself', async () => {
    const escrowId = await api.escrow({ amount_total: '12.00' });
    const done = await runChild(distFile(CHILD), {
      DATABASE_URL: api.t.tdb.url,
      ...storeEnv(api.t.platform),
      PSP_SIMULATOR_JOURNAL: journal,
      ESCROW_ID: escrowId,
      AMOUNT: '12.00',
      IDEM_KEY: `dep-${randomUUID()}`,
      CLIENT_ID: api.ids.client,
      CLIENT_KEY_ID: clientKey.id,
      CLIENT_KEY_PREFIX: clientKey.prefix,
      CRASH_AFTER_COLLECT: '0',
    });
    expect(done.code).toBe(0);
    const [announced, result] = done.stdout.trim().split('\n');
    expect(announced).toMatch(/^psp collected /);
    expect(JSON.parse(result!)).toMatchObject({ status: 'CONFIRMED', amount: '12.00' });
  });

  it('the recovery job confirms it with the first reference, once, and nothing is collected twice', async () => {
    const { escrowId, depositId, pspRef } = await crashedDeposit('40.00', `dep-${randomUUID()}`);
    const job = paymentRecoveryJob(api.t.platform, api.t.payments);
    const later = new Date(Date.now() + escrowJobLimits.recoveryMinAgeMs + 1000);
    expect(await job.run({ now: later })).toBe(
      'payments: none; webhooks: none; deposits: 1 CONFIRMED',
    );
    await expectSettledOnce(escrowId, depositId, pspRef, '40.00');
    // Run again: nothing left to do.
    expect(await job.run({ now: later })).toBe('payments: none; webhooks: none; deposits: none');
    expect(collectionsOf(depositId)).toHaveLength(1);
  });

  it("the client's retry with the same Idempotency-Key confirms it instead, once", async () => {
    const key = `dep-${randomUUID()}`;
    const { escrowId, depositId, pspRef } = await crashedDeposit('25.00', key);
    const retry = await api.deposit(escrowId, '25.00', key);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({
      status: 'FUNDED',
      deposit: { id: depositId, status: 'CONFIRMED', psp_ref: pspRef },
    });
    await expectSettledOnce(escrowId, depositId, pspRef, '25.00');
    const again = await api.deposit(escrowId, '25.00', key);
    expect(again.json().deposit).toEqual(retry.json().deposit);
    await expectSettledOnce(escrowId, depositId, pspRef, '25.00');
  });
});
