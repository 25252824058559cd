/**
 * The EventStoreDB adapter over `BatchAppend`, the call the client uses with a 21.10+ node (and
 * KurrentDB): concurrent appends share one long-lived call and are told apart by correlation id,
 * so each caller must get its own stream's answer, whatever order the writes finish in, and a
 * conflict must fail only its own append, as the port's WrongExpectedRevisionError. The double
 * counts its calls, so these tests also prove the appends did not go over `Append`.
 */
import { useEventStoreDbDouble } from '@test/eventstoredb-double/double-store';
import { ev, stream } from '../contract/contract-kit';
import { WrongExpectedRevisionError } from '../errors';
import type { AppendResult } from '../event-store.port';
import { esdb } from './eventstoredb-client';

/** Appends in flight at once in the concurrency test (the double has no limit below this). */
const CONCURRENT_APPENDS = 8;

const { double, store } = useEventStoreDbDouble();

/** The calls the double answered since `before`, by method. */
function callsSince(before: ReturnType<ReturnType<typeof double>['calls']>) {
  const now = double().calls();
  return {
    append: now.append - before.append,
    batchAppend: now.batchAppend - before.batchAppend,
    batchAppendWrites: now.batchAppendWrites - before.batchAppendWrites,
  };
}

/** The append's answer is the log's record of its own last event, and of no other stream. */
function expectAnswerOfItsStream(result: AppendResult, streamId: string, lastRevision: bigint) {
  const last = double().log.stream(streamId)[Number(lastRevision)]!;
  expect(result.streamId).toBe(streamId);
  expect(result.nextRevision).toBe(lastRevision);
  expect(result.position).toEqual({ tx: last.commit, pos: last.prepare });
}

describe('appends over BatchAppend (a 21.10+ node)', () => {
  it('carries concurrent appends to different streams on one call, each answered on its own', async () => {
    expect(double().batchAppend).toBe(true);
    const before = double().calls();
    const streams = Array.from({ length: CONCURRENT_APPENDS }, (_, i) => stream(`batch-${i}`));
    // The first stream's commit is held: its answer comes after all the others', so the client
    // must match answers by correlation id, not by the order it sent the appends in.
    const held = double().holdNextAppend(streams[0]!);
    const appending = streams.map((s, i) =>
      store().appendToStream(s, [ev('t.a.v1', { i }), ev('t.b.v1', { i })], {
        expectedRevision: 'no_stream',
      }),
    );
    const { commit } = await held;
    const others = await Promise.all(appending.slice(1));
    let heldAnswered = false;
    void appending[0]!.then(() => (heldAnswered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(heldAnswered).toBe(false);
    commit();
    const first = await appending[0]!;

    [first, ...others].forEach((r, i) => expectAnswerOfItsStream(r, streams[i]!, 1n));
    // Committed last, so last in $all: its position is after every other append's.
    expect(others.every((r) => r.position.tx < first.position.tx)).toBe(true);
    expect(callsSince(before)).toEqual({
      append: 0,
      batchAppend: 1,
      batchAppendWrites: CONCURRENT_APPENDS,
    });
  });

  it('fails only the conflicting append, as WrongExpectedRevisionError, on the same call', async () => {
    const s = stream('conflict');
    await store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    const before = double().calls();
    const bystander = stream('bystander');
    const [created, sideBySide] = await Promise.allSettled([
      store().appendToStream(s, [ev('t.again.v1')], { expectedRevision: 'no_stream' }),
      store().appendToStream(bystander, [ev('t.a.v1')], { expectedRevision: 'no_stream' }),
    ]);
    expect(created.status).toBe('rejected');
    expect((created as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((created as PromiseRejectedResult).reason).toMatchObject({
      streamId: s,
      expected: 'no_stream',
    });
    expect(sideBySide.status).toBe('fulfilled');
    expectAnswerOfItsStream(
      (sideBySide as PromiseFulfilledResult<AppendResult>).value,
      bystander,
      0n,
    );

    // Two writers at the same exact revision: the server's check lets one through.
    const racing = await Promise.allSettled([
      store().appendToStream(s, [ev('t.one.v1')], { expectedRevision: 0n }),
      store().appendToStream(s, [ev('t.two.v1')], { expectedRevision: 0n }),
    ]);
    const lost = racing.filter((r) => r.status === 'rejected');
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ streamId: s, expected: 0n });
    expect(
      double()
        .log.stream(s)
        .map((r) => r.revision),
    ).toEqual([0n, 1n]);
    // The conflicts were answered on the call already open, and nothing went over Append.
    expect(callsSince(before)).toEqual({ append: 0, batchAppend: 0, batchAppendWrites: 4 });
  });

  it('gathers an append sent in several requests until the final one, and writes it once', async () => {
    // The real client splits an append past `batchAppendSize`; 1 byte puts each event in a
    // request of its own, after one with the options alone.
    const client = esdb().EventStoreDBClient.connectionString(double().connectionString);
    try {
      const s = stream('pieces');
      const events = Array.from({ length: 5 }, (_, i) =>
        esdb().jsonEvent({ type: 't.piece.v1', data: { i } }),
      );
      const requestsBefore = double().calls().batchAppendRequests;
      const result = await client.appendToStream(s, events, {
        expectedRevision: esdb().NO_STREAM,
        batchAppendSize: 1,
      });
      expect(double().calls().batchAppendRequests - requestsBefore).toBe(events.length + 1);
      const records = double().log.stream(s);
      expect(records.map((r) => r.id)).toEqual(events.map((e) => e.id));
      expect(new Set(records.map((r) => r.commit)).size).toBe(1);
      expect(result.nextExpectedRevision).toBe(4n);
      expect(result.position).toEqual({ commit: records[4]!.commit, prepare: records[4]!.prepare });
    } finally {
      await client.dispose();
    }
  });
});
