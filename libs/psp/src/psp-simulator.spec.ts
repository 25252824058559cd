/** The simulator's modes and its idempotency per key, as the payment service will rely on them. */
import { PspDeclinedError, PspTimeoutError } from './psp.port';
import { PspSimulator, type SettlementWebhook } from './psp-simulator';

const collect = { amount: '10.00', currency: 'USD', reference: 'escrow-1' };
const transfer = { amount: '4.00', currency: 'USD', beneficiary: 'provider-1', reference: 'escrow-1' };

describe('PSP simulator', () => {
  it('accepts: confirms collections, sends transfers, and repeats the first outcome per key', async () => {
    const psp = new PspSimulator();
    const c = await psp.collect({ ...collect, idempotencyKey: 'dep-1' });
    expect(c).toEqual({ status: 'confirmed', pspRef: expect.stringMatching(/^SIM-/) });
    expect(await psp.collect({ ...collect, idempotencyKey: 'dep-1' })).toEqual(c);
    const t = await psp.transfer({ ...transfer, idempotencyKey: 'pay-1' });
    expect(t.status).toBe('sent');
    expect(await psp.transfer({ ...transfer, idempotencyKey: 'pay-1' })).toEqual(t);
    expect(await psp.transfer({ ...transfer, idempotencyKey: 'pay-2' })).not.toEqual(t);
  });

  it('fails: declines without recording anything', async () => {
    const psp = new PspSimulator({ mode: 'fail' });
    await expect(psp.transfer({ ...transfer, idempotencyKey: 'pay-1' })).rejects.toBeInstanceOf(PspDeclinedError);
    expect(psp.outcomeOf('pay-1')).toBeUndefined();
  });

  it('times out: no answer and no effect; silent: the effect happens, the answer is lost', async () => {
    const psp = new PspSimulator({ mode: 'timeout', answerTimeoutMs: 20 });
    await expect(psp.transfer({ ...transfer, idempotencyKey: 'pay-t' })).rejects.toBeInstanceOf(PspTimeoutError);
    expect(psp.outcomeOf('pay-t')).toBeUndefined();
    psp.mode = 'silent';
    await expect(psp.transfer({ ...transfer, idempotencyKey: 'pay-s' })).rejects.toBeInstanceOf(PspTimeoutError);
    const recorded = psp.outcomeOf('pay-s');
    expect(recorded).toMatchObject({ status: 'sent' });
    // Recovery retries with the same key once the PSP answers again: the same transfer, not a new one.
    psp.mode = 'accept';
    expect(await psp.transfer({ ...transfer, idempotencyKey: 'pay-s' })).toEqual(recorded);
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
    expect(posted).toEqual([{ event_id: expect.stringMatching(/^evt-/), type: 'payment.settled', psp_ref: t.pspRef, reference: 'escrow-1' }]);
    psp.close();
  });
});
