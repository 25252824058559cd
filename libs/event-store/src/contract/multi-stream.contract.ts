/**
 * The event store contract, several streams: atomic appends to several streams, and appends
 * conditional on streams only read.
 */
import { type ContractHarness, CONDITION_WAIT_MS, stream, ev } from './contract-kit';
import { WrongExpectedRevisionError } from '../errors';

/** Several streams in one append: all or nothing. */
export function describeAtomicAppends(h: () => ContractHarness): void {
  it('appends to several streams atomically: all or nothing', async () => {
    const a = stream();
    const b = stream();
    const taken = stream();
    await h().store.appendToStream(taken, [ev('t.x.v1')], { expectedRevision: 'no_stream' });
    await expect(
      h().store.appendMulti([
        { streamId: a, events: [ev('t.a.v1')], expectedRevision: 'no_stream' },
        { streamId: taken, events: [ev('t.a.v1')], expectedRevision: 'no_stream' },
      ]),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await h().store.readStream(a)).toEqual([]);
    expect(await h().store.streamHead(a)).toBeNull();
    const ok = await h().store.appendMulti([
      { streamId: a, events: [ev('t.a.v1')], expectedRevision: 'no_stream' },
      { streamId: b, events: [ev('t.b.v1'), ev('t.b.v1')], expectedRevision: 'no_stream' },
      { streamId: taken, events: [ev('t.c.v1')], expectedRevision: 0n },
    ]);
    expect(ok.map((r) => r.nextRevision)).toEqual([0n, 1n, 1n]);
    expect((await h().store.readStream(b)).length).toBe(2);
  });
}

/** Appends conditional on streams only read, alone and against a concurrent writer. */
export function describeConditions(h: () => ContractHarness): void {
  it('appends conditionally on the revisions of streams it only read', async () => {
    const fact = stream('fact');
    await h().store.appendToStream(fact, [ev('t.fact.v1')], { expectedRevision: 'no_stream' });
    const [ok] = await h().store.appendMulti(
      [{ streamId: stream(), events: [ev('t.x.v1')], expectedRevision: 'no_stream' }],
      {
        conditions: [{ streamId: fact, expectedRevision: 0n }],
      },
    );
    expect(ok!.nextRevision).toBe(0n);
    for (const condition of [
      { streamId: fact, expectedRevision: 1n },
      { streamId: stream('missing'), expectedRevision: 0n },
    ]) {
      const target = stream();
      const refused = h().store.appendMulti(
        [{ streamId: target, events: [ev('t.x.v1')], expectedRevision: 'no_stream' }],
        { conditions: [condition] },
      );
      await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(refused).rejects.toMatchObject({ streamId: condition.streamId });
      expect(await h().store.streamHead(target)).toBeNull();
    }
    // The condition's stream is not written: its head did not move.
    expect((await h().store.streamHead(fact))!.revision).toBe(0n);
  });

  it('orders a condition against a concurrent writer of its stream: the writer first, then the conditional append refused', async () => {
    const fact = stream('fact');
    await h().store.appendToStream(fact, [ev('t.fact.v1')], { expectedRevision: 'no_stream' });
    // A revocation of the fact, committed late: the conditional append read the fact before it.
    const revocation = await h().holdOpenAppend({
      streamId: fact,
      events: [ev('t.revoked.v1')],
      expectedRevision: 0n,
    });
    const target = stream();
    const conditional = h()
      .otherStore()
      .appendMulti([{ streamId: target, events: [ev('t.x.v1')], expectedRevision: 'no_stream' }], {
        conditions: [{ streamId: fact, expectedRevision: 0n }],
      });
    // Let it reach the condition's check while the writer still holds the head (it must wait
    // there: had it settled meanwhile, it did not see the writer at all).
    const early = await Promise.race([
      conditional.then(
        () => 'settled',
        () => 'settled',
      ),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), CONDITION_WAIT_MS)),
    ]);
    await revocation.commit();
    expect(early).toBe('waiting');
    await expect(conditional).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await h().store.streamHead(target)).toBeNull();
    // Read again, at the new revision: it goes through.
    await h().store.appendMulti(
      [{ streamId: target, events: [ev('t.x.v1')], expectedRevision: 'no_stream' }],
      {
        conditions: [{ streamId: fact, expectedRevision: 1n }],
      },
    );
    expect((await h().store.streamHead(target))!.revision).toBe(0n);
  });
}
