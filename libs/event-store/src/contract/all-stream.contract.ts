/**
 * The event store contract, `$all`: read from a position token without skipping a late commit,
 * subscriptions that catch up then go live, and a total order of positions.
 */
import { type ContractHarness, stream, drain, ev } from './contract-kit';
import {
  type RecordedEvent,
  START,
  comparePositions,
  decodePosition,
  encodePosition,
} from '../event-store.port';

/** Reads of `$all`: tokens, late commits. */
export function describeAllReads(h: () => ContractHarness): void {
  it('reads $all from a position token and never skips a late commit', async () => {
    const head = await h().store.headPosition();
    const a = stream('late-a');
    const b = stream('late-b');
    // Writer A appends and keeps its transaction open; writer B appends after A and commits.
    const heldA = await h().holdOpenAppend({
      streamId: a,
      events: [ev('t.a.v1')],
      expectedRevision: 'no_stream',
    });
    await h()
      .otherStore()
      .appendToStream(b, [ev('t.b.v1')], { expectedRevision: 'no_stream' });
    // The reader reads now: B is committed, A is not.
    const first = await h().store.readAll({ fromPosition: head, maxCount: 100 });
    const ours = (evts: RecordedEvent[]) =>
      evts.filter((e) => e.streamId === a || e.streamId === b);
    expect(ours(first).map((e) => e.streamId)).not.toContain(a);
    const afterFirst = first.length ? first[first.length - 1]!.position : head;
    // A commits; reading on from where the reader stopped delivers A exactly once, and B once.
    await heldA.commit();
    const { seen } = await drain(h().store, afterFirst, (s) =>
      ours(s).some((e) => e.streamId === a),
    );
    const all = ours([...first, ...seen]);
    expect(all.filter((e) => e.streamId === a)).toHaveLength(1);
    expect(all.filter((e) => e.streamId === b)).toHaveLength(1);
    const token = encodePosition(all[0]!.position);
    expect(decodePosition(token)).toEqual(all[0]!.position);
    expect(token).not.toMatch(/^\d+$/);
  });
}

/** Subscriptions from a checkpoint, and the order of positions from START. */
export function describeSubscriptions(h: () => ContractHarness): void {
  it('resumes a subscription from a checkpoint token, catch-up then live', async () => {
    const s = stream('sub');
    const start = await h().store.headPosition();
    await h().store.appendToStream(s, [ev('t.1.v1'), ev('t.2.v1'), ev('t.3.v1')], {
      expectedRevision: 'no_stream',
    });
    const controller = new AbortController();
    const got: RecordedEvent[] = [];
    let checkpoint: string | null = null;
    for await (const e of h().store.subscribeToAll({
      fromPosition: start,
      signal: controller.signal,
    })) {
      if (e.streamId !== s) continue;
      got.push(e);
      if (got.length === 2) {
        checkpoint = encodePosition(e.position);
        controller.abort();
      }
    }
    expect(got.map((e) => e.type)).toEqual(['t.1.v1', 't.2.v1']);
    const resume = new AbortController();
    const rest: RecordedEvent[] = [];
    const live = (async () => {
      for await (const e of h().store.subscribeToAll({
        fromPosition: decodePosition(checkpoint!),
        signal: resume.signal,
      })) {
        if (e.streamId !== s) continue;
        rest.push(e);
        if (rest.length === 2) resume.abort();
      }
    })();
    // The fourth event arrives while the subscription is live.
    await new Promise((r) => setTimeout(r, 50));
    await h()
      .otherStore()
      .appendToStream(s, [ev('t.4.v1')], { expectedRevision: 2n });
    await live;
    expect(rest.map((e) => e.type)).toEqual(['t.3.v1', 't.4.v1']);
  });

  it('starts $all at START and positions are totally ordered', async () => {
    const all = await h().store.readAll({ fromPosition: START, maxCount: 50 });
    for (let i = 1; i < all.length; i++) {
      expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBeLessThan(0);
    }
  });
}
