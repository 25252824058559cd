/**
 * What the EventStoreDB adapter does beyond the port's contract, through the real client
 * against the gRPC test double: system events kept out of what it answers, commit/prepare
 * positions in the port's token, and a failing node (unavailable, not the leader, no answer
 * before the deadline) met with typed errors and retries that cannot duplicate an append, both
 * when appends go over `BatchAppend` (21.10+) and over `Append` (a 20.x node): the two meet a
 * failure differently (a whole shared call ended, a deadline answered by the server).
 */
import { useEventStoreDbDouble } from '@test/eventstoredb-double/double-store';
import {
  type DoubleOptions,
  type EventStoreDbDouble,
  startEventStoreDbDouble,
} from '@test/eventstoredb-double/eventstoredb-double';
import { ev } from '../contract/event-store.contract';
import { stream } from '../contract/contract-kit';
import { START, decodePosition, encodePosition, type RecordedEvent } from '../event-store.port';
import { verifyChain } from '../hash-chain';
import { EventStoreUnavailableError } from './eventstoredb-errors';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/** Short enough for a test to wait for it; the real default is 10 s. */
const TEST_APPEND_DEADLINE_MS = 300;

const { double, store } = useEventStoreDbDouble({ appendDeadlineMs: TEST_APPEND_DEADLINE_MS });

describe('system events', () => {
  it('are in the log beside user events, and never answered by reads, heads or subscriptions', async () => {
    const s = stream('sys');
    const start = await store().headPosition();
    for (let i = 0; i < 4; i++) {
      await store().appendToStream(s, [ev('t.x.v1', { i })], {
        expectedRevision: i ? BigInt(i - 1) : 'no_stream',
      });
    }
    const last = await store().appendToStream(s, [ev('t.last.v1')], { expectedRevision: 3n });
    double().log.writeSystem('$stats-127.0.0.1:2113', '$statsCollected', {});
    expect(double().log.all.some((r) => r.streamId.startsWith('$'))).toBe(true);
    expect(double().log.all[double().log.all.length - 1]!.streamId).toMatch(/^\$/);

    const all = await store().readAll({ fromPosition: START, maxCount: 5000 });
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((e) => e.streamId.startsWith('$') || e.type.startsWith('$'))).toEqual([]);
    expect(await store().headPosition()).toEqual(last.position);
    expect(await store().listStreams()).toContain(s);
    expect((await store().listStreams()).every((id) => !id.startsWith('$'))).toBe(true);

    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    for await (const e of store().subscribeToAll({
      fromPosition: start,
      signal: controller.signal,
    })) {
      seen.push(e);
      if (e.streamId === s && e.revision === 4n) controller.abort();
    }
    expect(seen.filter((e) => e.streamId === s)).toHaveLength(5);
    expect(seen.filter((e) => e.streamId.startsWith('$'))).toEqual([]);
  });
});

describe('positions', () => {
  it('carries commit and prepare: one write shares its commit, each event has its prepare', async () => {
    const s = stream('pos');
    const result = await store().appendToStream(s, [ev('t.a.v1'), ev('t.b.v1'), ev('t.c.v1')], {
      expectedRevision: 'no_stream',
    });
    const events = await store().readStream(s);
    const commits = new Set(events.map((e) => e.position.tx));
    expect(commits.size).toBe(1);
    expect(events[0]!.position.pos < events[1]!.position.pos).toBe(true);
    expect(events[1]!.position.pos < events[2]!.position.pos).toBe(true);
    expect(result.position).toEqual(events[2]!.position);
    const record = double().log.stream(s)[2]!;
    expect(result.position).toEqual({ tx: record.commit, pos: record.prepare });
    expect(decodePosition(encodePosition(result.position))).toEqual(result.position);
    // readAll answers the events after a position, not the position's own event.
    const after = await store().readAll({ fromPosition: events[0]!.position, maxCount: 2 });
    expect(after.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id]);
  });
});

const NODES: [string, DoubleOptions][] = [
  ['appends over BatchAppend', {}],
  ['a 20.x node, appends over Append', { batchAppend: false }],
];

describe.each(NODES)('a failing node (%s)', (_kind, node) => {
  const { double, store } = useEventStoreDbDouble(
    { appendDeadlineMs: TEST_APPEND_DEADLINE_MS },
    node,
  );

  it('retries an append refused by an unavailable node, writing it once', async () => {
    const s = stream('unavailable');
    double().fail({ method: 'append', kind: 'unavailable', when: 'before' });
    const r = await store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    expect(r.nextRevision).toBe(0n);
    expect(await store().readStream(s)).toHaveLength(1);
  });

  it('finds an append written but never answered (deadline) instead of sending it again', async () => {
    const s = stream('deadline');
    await store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    double().fail({ method: 'append', kind: 'no-answer', when: 'after' });
    const started = Date.now();
    const r = await store().appendToStream(s, [ev('t.b.v1'), ev('t.c.v1')], {
      expectedRevision: 0n,
    });
    expect(r.nextRevision).toBe(2n);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_APPEND_DEADLINE_MS - 10);
    const events = await store().readStream(s);
    expect(events.map((e) => e.type)).toEqual(['t.a.v1', 't.b.v1', 't.c.v1']);
    expect(verifyChain(events)).toEqual({ valid: true, events: 3, headHash: r.headHash });
    expect(r.position).toEqual(events[2]!.position);
  });

  it('finds an append written but answered unavailable', async () => {
    const s = stream('lost-answer');
    double().fail({ method: 'append', kind: 'unavailable', when: 'after' });
    await store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    expect(await store().readStream(s)).toHaveLength(1);
  });

  it('follows a follower to the leader it names', async () => {
    const s = stream('follower');
    double().fail({ method: 'append', kind: 'not-leader', when: 'before' });
    await store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    double().fail({ method: 'read', kind: 'not-leader', when: 'before' });
    expect(await store().readStream(s)).toHaveLength(1);
  });

  it('gives up with a typed error saying whether the append may have been written', async () => {
    const s = stream('down');
    for (let i = 0; i < 3; i++)
      double().fail({ method: 'append', kind: 'unavailable', when: 'before' });
    const down = store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    await expect(down).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(down).rejects.toMatchObject({ failure: 'unavailable', appendOutcome: 'unknown' });
    for (let i = 0; i < 3; i++)
      double().fail({ method: 'append', kind: 'not-leader', when: 'before' });
    await expect(
      store().appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' }),
    ).rejects.toMatchObject({ failure: 'not-leader', appendOutcome: 'not-written' });
    expect(await store().readStream(s)).toEqual([]);
    // Reads give up too, typed, after their retries.
    for (let i = 0; i < 4; i++)
      double().fail({ method: 'read', kind: 'unavailable', when: 'before' });
    await expect(store().readStream(s)).rejects.toMatchObject({
      code: 'EVENT_STORE_UNAVAILABLE',
      appendOutcome: 'not-an-append',
    });
  });

  it('reports a failing node in the connection probe, once, without retrying', async () => {
    double().fail({ method: 'read', kind: 'unavailable', when: 'before' });
    expect(await store().connection(1000)).toMatchObject({
      state: 'unavailable',
      latencyMs: null,
    });
    double().fail({ method: 'read', kind: 'no-answer', when: 'before' });
    const slow = await store().connection(200);
    expect(slow).toMatchObject({ state: 'deadline', latencyMs: null });
    expect(double().pendingFaults()).toBe(0);
    expect((await store().connection(1000)).state).toBe('connected');
  });

  it('resubscribes from the last event delivered when a subscription is dropped', async () => {
    const s = stream('resub');
    const start = await store().headPosition();
    await store().appendToStream(s, [ev('t.a.v1'), ev('t.b.v1')], {
      expectedRevision: 'no_stream',
    });
    double().fail({ method: 'read', kind: 'unavailable', when: 'before' });
    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    for await (const e of store().subscribeToAll({
      fromPosition: start,
      signal: controller.signal,
    })) {
      if (e.streamId !== s) continue;
      seen.push(e);
      if (seen.length === 2) controller.abort();
    }
    expect(seen.map((e) => e.type)).toEqual(['t.a.v1', 't.b.v1']);
  });

  it('survives the node restarting: an append meanwhile fails typed, the subscription resumes', async () => {
    const first = await startEventStoreDbDouble(node);
    const own = EventStoreDbEventStore.connect(first.connectionString, {
      appendDeadlineMs: TEST_APPEND_DEADLINE_MS,
    });
    const s = stream('restart');
    await own.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    let delivered = () => {};
    const firstSeen = new Promise<void>((resolve) => (delivered = resolve));
    const live = (async () => {
      for await (const e of own.subscribeToAll({
        fromPosition: START,
        signal: controller.signal,
      })) {
        if (e.streamId !== s) continue;
        seen.push(e);
        delivered();
        if (seen.length === 2) controller.abort();
      }
    })();
    await firstSeen;
    first.crash();
    let second: EventStoreDbDouble | undefined;
    try {
      expect((await own.connection(500)).state).not.toBe('connected');
      await expect(
        own.appendToStream(s, [ev('t.lost.v1')], { expectedRevision: 0n }),
      ).rejects.toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE', operation: 'append' });
      second = await startEventStoreDbDouble({ ...node, log: first.log, port: first.port });
      await own.appendToStream(s, [ev('t.b.v1')], { expectedRevision: 0n });
      await live;
      expect(seen.map((e) => e.type)).toEqual(['t.a.v1', 't.b.v1']);
    } finally {
      controller.abort();
      await own.close();
      await second?.close();
    }
  });
});
