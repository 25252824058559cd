/**
 * The event store contract, appends to one stream: the hash chain, expected revisions, the actor
 * rule, racing writers.
 */
import { randomUUID } from 'node:crypto';
import { type ContractHarness, stream, ev, testMetadata } from './contract-kit';
import { claimReservation, readReservation } from '../reservations';
import { type AppendMetadata, comparePositions, latestPosition } from '../event-store.port';
import { WrongExpectedRevisionError, MissingActorError } from '../errors';
import { GENESIS_HASH, verifyChain } from '../hash-chain';

/** One writer: the chain, the expected revisions, the actor rule. */
export function describeOneWriter(h: () => ContractHarness): void {
  it('appends to a new stream and reads it back in order with the hash chain', async () => {
    const s = stream();
    const r1 = await h().store.appendToStream(s, [ev('t.a.v1', { n: 1 }), ev('t.b.v1', { n: 2 })], {
      expectedRevision: 'no_stream',
    });
    expect(r1.nextRevision).toBe(1n);
    const r2 = await h().store.appendToStream(s, [ev('t.c.v1', { n: 3 })], {
      expectedRevision: 1n,
    });
    expect(r2.nextRevision).toBe(2n);
    const events = await h().store.readStream(s);
    expect(events.map((e) => [e.revision, e.type, (e.data as { n: number }).n])).toEqual([
      [0n, 't.a.v1', 1],
      [1n, 't.b.v1', 2],
      [2n, 't.c.v1', 3],
    ]);
    expect(events[0]!.metadata.prevHash).toBe(GENESIS_HASH);
    expect(events[1]!.metadata.prevHash).toBe(events[0]!.metadata.hash);
    expect(verifyChain(events)).toEqual({ valid: true, events: 3, headHash: r2.headHash });
    const back = await h().store.readStream(s, { direction: 'backwards', maxCount: 2 });
    expect(back.map((e) => e.revision)).toEqual([2n, 1n]);
    expect(comparePositions(events[0]!.position, events[2]!.position)).toBeLessThan(0);
  });

  it('enforces no_stream, exact and any expected revisions with a typed conflict', async () => {
    const s = stream();
    await h().store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    await expect(
      h().store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(
      h().store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 5n }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(
      h().store.appendToStream(stream(), [ev('t.a.v1')], { expectedRevision: 0n }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const any1 = await h().store.appendToStream(s, [ev('t.b.v1')], { expectedRevision: 'any' });
    expect(any1.nextRevision).toBe(1n);
    const fresh = stream();
    const any2 = await h().store.appendToStream(fresh, [ev('t.b.v1')], { expectedRevision: 'any' });
    expect(any2.nextRevision).toBe(0n);
    expect(verifyChain(await h().store.readStream(s)).valid).toBe(true);
    expect(await h().store.readStream(stream())).toEqual([]);
  });

  it('names the streams an append wrote by the position of its last event', async () => {
    const owner = stream('res');
    const claim = claimReservation(
      await readReservation(h().store, owner),
      'owner-1',
      {},
      testMetadata(),
      randomUUID(),
    );
    const aggregate = {
      streamId: stream(),
      events: [ev('t.a.v1')],
      expectedRevision: 'no_stream' as const,
    };
    const results = await h().store.appendMulti([claim, aggregate]);
    const last = latestPosition(results.map((r) => r.position))!;
    expect([...(await h().store.streamsAppendedAt(last))!].sort()).toEqual(
      [owner, aggregate.streamId].sort(),
    );
    const single = await h().store.appendToStream(stream(), [ev('t.b.v1')], {
      expectedRevision: 'no_stream',
    });
    expect(await h().store.streamsAppendedAt(single.position)).toEqual([single.streamId]);
    expect(await h().store.streamsAppendedAt({ tx: 1n, pos: 1n })).toBeNull();
  });

  it('refuses an event without an actor', async () => {
    const bad = ev('t.a.v1');
    delete (bad.metadata as Partial<AppendMetadata>).actor;
    await expect(
      h().store.appendToStream(stream(), [bad], { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(MissingActorError);
  });
}

/** Writers racing at one revision, or to create one stream: exactly one wins. */
export function describeRacingWriters(h: () => ContractHarness): void {
  it('lets exactly one of many concurrent appenders at the same revision win', async () => {
    const s = stream();
    await h().store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    const stores = Array.from({ length: 8 }, () => h().otherStore());
    const results = await Promise.allSettled(
      stores.map((st, i) =>
        st.appendToStream(s, [ev('t.race.v1', { i })], { expectedRevision: 0n }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const l of lost) expect(l.reason).toBeInstanceOf(WrongExpectedRevisionError);
    const events = await h().store.readStream(s);
    expect(events).toHaveLength(2);
    expect(verifyChain(events).valid).toBe(true);
    await Promise.all(stores.map((st) => st.close()));
  });

  it('lets exactly one of many concurrent no_stream creators win', async () => {
    const s = stream();
    const stores = Array.from({ length: 6 }, () => h().otherStore());
    const results = await Promise.allSettled(
      stores.map((st) =>
        st.appendToStream(s, [ev('t.created.v1')], { expectedRevision: 'no_stream' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await h().store.readStream(s)).length).toBe(1);
    await Promise.all(stores.map((st) => st.close()));
  });
}
