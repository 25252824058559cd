/** The simulator's modes and its idempotency per key, as the payment service will rely on them. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PspDeclinedError, PspTimeoutError } from './psp.port';
import { CALLS_KEPT, PspSimulator, type SettlementWebhook } from './psp-simulator';

const collect = { amount: '10.00', currency: 'USD', reference: 'escrow-1' };
const transfer = {
  amount: '4.00',
  currency: 'USD',
  beneficiary: 'provider-1',
  reference: 'escrow-1',
};

describe('PSP simulator', () => {
  it('accepts: confirms collections, sends transfers, and repeats the first outcome per key', async () => {
    const psp = new PspSimulator();
    const c = await psp.collect({ ...collect, idempotencyKey: 'dep-1' });
    expect(c).toEqual({
      status: 'confirmed',
      pspRef: expect.stringMatching(/^SIM-/),
      amount: '10.00',
      currency: 'USD',
    });
    expect(await psp.collect({ ...collect, idempotencyKey: 'dep-1' })).toEqual(c);
    const t = await psp.transfer({ ...transfer, idempotencyKey: 'pay-1' });
    expect(t.status).toBe('sent');
    expect(await psp.transfer({ ...transfer, idempotencyKey: 'pay-1' })).toEqual(t);
    expect(await psp.transfer({ ...transfer, idempotencyKey: 'pay-2' })).not.toEqual(t);
  });

  it('fails: declines without recording anything', async () => {
    const psp = new PspSimulator({ mode: 'fail' });
    await expect(psp.transfer({ ...transfer, idempotencyKey: 'pay-1' })).rejects.toBeInstanceOf(
      PspDeclinedError,
    );
    expect(psp.outcomeOf('pay-1')).toBeUndefined();
  });

  it('times out: no answer and no effect; silent: the effect happens, the answer is lost', async () => {
    const psp = new PspSimulator({ mode: 'timeout', answerTimeoutMs: 20 });
    await expect(psp.transfer({ ...transfer, idempotencyKey: 'pay-t' })).rejects.toBeInstanceOf(
      PspTimeoutError,
    );
    expect(psp.outcomeOf('pay-t')).toBeUndefined();
    psp.mode = 'silent';
    await expect(psp.transfer({ ...transfer, idempotencyKey: 'pay-s' })).rejects.toBeInstanceOf(
      PspTimeoutError,
    );
    const recorded = psp.outcomeOf('pay-s');
    expect(recorded).toMatchObject({ status: 'sent' });
    // Recovery retries with the same key once the PSP answers again: the same transfer, not a new one.
    psp.mode = 'accept';
    expect(await psp.transfer({ ...transfer, idempotencyKey: 'pay-s' })).toEqual(recorded);
    psp.close();
  });

  it('reports what it was asked to collect, or what a test says it collected', async () => {
    const psp = new PspSimulator();
    psp.misreport = (request) => ({ amount: '9.99', currency: request.currency });
    expect(await psp.collect({ ...collect, idempotencyKey: 'short' })).toMatchObject({
      status: 'confirmed',
      amount: '9.99',
      currency: 'USD',
    });
    psp.collections = 'webhook';
    expect(await psp.collect({ ...collect, idempotencyKey: 'later' })).toEqual({
      status: 'pending',
      pspRef: expect.stringMatching(/^SIM-/),
    });
  });

  it('keeps its memory of keys in a journal that outlives the process and is shared by others', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'psp-journal-'));
    const journal = path.join(dir, 'psp.jsonl');
    try {
      const first = new PspSimulator({ journal });
      const c = await first.collect({ ...collect, idempotencyKey: 'dep-j' });
      const t = await first.transfer({ ...transfer, idempotencyKey: 'pay-j' });
      // A half-written last line (a crash mid-write) is not an outcome.
      appendFileSync(journal, '{"key":"dep-cut","outc');
      // Another process (or this one restarted) naming the same journal: the same outcomes.
      const second = new PspSimulator({ journal });
      expect(second.outcomeOf('dep-j')).toEqual(c);
      expect(await second.collect({ ...collect, idempotencyKey: 'dep-j' })).toEqual(c);
      expect(await second.transfer({ ...transfer, idempotencyKey: 'pay-j' })).toEqual(t);
      expect(second.outcomeOf('dep-cut')).toBeUndefined();
      const lines = readFileSync(journal, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{"key":"dep-j"'));
      expect(lines).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('remembers the latest calls, not every call since it started', async () => {
    const psp = new PspSimulator();
    const total = 2 * CALLS_KEPT + 5;
    for (let i = 0; i < total; i++) await psp.collect({ ...collect, idempotencyKey: `k-${i}` });
    expect(psp.calls.length).toBeGreaterThanOrEqual(CALLS_KEPT);
    expect(psp.calls.length).toBeLessThan(2 * CALLS_KEPT);
    expect(psp.calls.at(-1)?.idempotencyKey).toBe(`k-${total - 1}`);
    // The latest CALLS_KEPT are all there, in order.
    const latest = psp.calls.slice(-CALLS_KEPT).map((c) => c.idempotencyKey);
    expect(latest[0]).toBe(`k-${total - CALLS_KEPT}`);
    // Its memory of keys is not the call log: the first key still answers its first outcome.
    const again = await psp.collect({ ...collect, idempotencyKey: 'k-0' });
    expect(psp.calls.at(-1)?.idempotencyKey).toBe('k-0');
    expect(again).toEqual(psp.outcomeOf('k-0'));
    psp.close();
  });

  it('posts one settlement webhook per transfer when asked to', async () => {
    const posted: SettlementWebhook[] = [];
    let settled!: () => void;
    const arrived = new Promise<void>((resolve) => (settled = resolve));
    const psp = new PspSimulator({
      settlement: {
        afterMs: 5,
        post: async (e) => {
          posted.push(e);
          settled();
        },
      },
    });
    const t = await psp.transfer({ ...transfer, idempotencyKey: 'pay-w' });
    await psp.transfer({ ...transfer, idempotencyKey: 'pay-w' });
    expect(psp.settlementsPending).toBe(1);
    await arrived;
    expect(psp.settlementsPending).toBe(0);
    expect(posted).toEqual([
      {
        event_id: expect.stringMatching(/^evt-/),
        type: 'payment.settled',
        psp_ref: t.pspRef,
        reference: 'escrow-1',
      },
    ]);
    psp.close();
  });
});
