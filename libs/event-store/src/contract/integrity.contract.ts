/**
 * The event store contract, integrity: reservations at exact revisions, and a tampered row found
 * by the hash chain.
 */
import { type ContractHarness, stream, ev, testMetadata } from './contract-kit';
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError } from '../errors';
import { verifyChain } from '../hash-chain';
import {
  claimReservation,
  readReservation,
  releaseReservation,
  ReservationTakenError,
} from '../reservations';

export function describeIntegrityContract(h: () => ContractHarness): void {
  it('answers a connection probe: connected, with the round trip measured', async () => {
    const probe = await h().store.connection(2000);
    expect(probe).toMatchObject({ state: 'connected', detail: null });
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('claims, conflicts on, releases and re-claims a reservation at exact revisions', async () => {
    const r = stream('res');
    const free = await readReservation(h().store, r);
    expect(free.status).toBe('free');
    await h().store.appendMulti([
      claimReservation(free, 'owner-1', { purpose: 'test' }, testMetadata(), randomUUID()),
    ]);
    const claimed = await readReservation(h().store, r);
    expect(claimed).toMatchObject({ status: 'claimed', owner: 'owner-1', revision: 0n });
    expect(() => claimReservation(claimed, 'owner-2', {}, testMetadata(), randomUUID())).toThrow(
      ReservationTakenError,
    );
    // A racer that read the reservation while it was free loses at the database.
    await expect(
      h().store.appendMulti([claimReservation(free, 'owner-2', {}, testMetadata(), randomUUID())]),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await h().store.appendMulti([
      releaseReservation(claimed, 'owner-1', testMetadata(), randomUUID()),
    ]);
    const released = await readReservation(h().store, r);
    expect(released.status).toBe('free');
    await h().store.appendMulti([
      claimReservation(released, 'owner-2', {}, testMetadata(), randomUUID()),
    ]);
    expect(await readReservation(h().store, r)).toMatchObject({
      status: 'claimed',
      owner: 'owner-2',
      revision: 2n,
    });
    expect(verifyChain(await h().store.readStream(r)).valid).toBe(true);
  });

  it('detects an edited row and names the first bad revision', async () => {
    const s = stream('chain');
    await h().store.appendToStream(
      s,
      [ev('t.a.v1', { amount: '10.00' }), ev('t.b.v1', { amount: '5.00' }), ev('t.c.v1')],
      {
        expectedRevision: 'no_stream',
      },
    );
    expect(verifyChain(await h().store.readStream(s)).valid).toBe(true);
    await h().tamper(s, 1n, { amount: '500.00' });
    const verdict = verifyChain(await h().store.readStream(s));
    expect(verdict).toMatchObject({ valid: false, firstBadRevision: 1n });
  });
}
