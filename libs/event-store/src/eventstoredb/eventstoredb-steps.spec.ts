/**
 * The steps of a multi-stream append on EventStoreDB beyond a claim and its aggregate: a fact
 * that precedes the command (a due mandate's expiry), a hand-over of a reservation (release and
 * claim in one append), consequences that follow the aggregate (an alert, a webhook's outcome)
 * named in its first event, and the recovery job writing a consequence the writer could not.
 * Through the real client against the double.
 */
import { randomUUID } from 'node:crypto';
import { useEventStoreDbDouble } from '@test/eventstoredb-double/double-store';
import { ev, testMetadata } from '../contract/event-store.contract';
import { stream } from '../contract/contract-kit';
import type { StreamAppend } from '../event-store.port';
import { WrongExpectedRevisionError } from '../errors';
import { verifyChain } from '../hash-chain';
import {
  RESERVATION_CLAIMED,
  RESERVATION_RELEASED,
  claimReservation,
  readReservation,
} from '../reservations';
import { EventStoreUnavailableError } from './eventstoredb-errors';
import {
  CLAIMED_FOR,
  CONSEQUENCES,
  MultiStreamAppendUnsupportedError,
} from './eventstoredb-multi-stream';
import { recoverMultiStreamAppends } from './multi-stream-recovery';

const { double, store } = useEventStoreDbDouble({ appendDeadlineMs: 300 });

function newStream(prefix: string, type: string, step?: StreamAppend['step']): StreamAppend {
  return {
    streamId: stream(prefix),
    events: [ev(type)],
    expectedRevision: 'no_stream',
    ...(step ? { step } : {}),
  };
}

/** A reservation claimed by `holder`, and the append handing it over to `next` (one append). */
async function handOver(holder: string, next: string): Promise<StreamAppend> {
  const free = await readReservation(store(), stream('slot'));
  await store().appendMulti([claimReservation(free, holder, {}, testMetadata(), randomUUID())]);
  const held = await readReservation(store(), free.streamId);
  const meta = testMetadata();
  return {
    streamId: held.streamId,
    expectedRevision: held.revision,
    events: [
      { id: randomUUID(), type: RESERVATION_RELEASED, data: { owner: holder }, metadata: meta },
      { id: randomUUID(), type: RESERVATION_CLAIMED, data: { owner: next }, metadata: meta },
    ],
  };
}

async function positionOf(streamId: string) {
  const [last] = await store().readStream(streamId, { direction: 'backwards', maxCount: 1 });
  return last!.position.tx;
}

describe('steps of a multi-stream append on EventStoreDB', () => {
  it('writes the preceding fact, the hand-over, the aggregate, then its consequences', async () => {
    const expiry = { ...newStream('holder', 't.expired.v1', 'precedes') };
    const slot = await handOver('old', 'new');
    const aggregate = newStream('agg', 't.created.v1');
    const alert = newStream('alert', 't.alert.v1', 'follows');
    const results = await store().appendMulti([expiry, slot, aggregate, alert]);
    expect(results.map((r) => r.streamId)).toEqual(
      [expiry, slot, aggregate, alert].map((a) => a.streamId),
    );
    const order = await Promise.all(
      [expiry, slot, aggregate, alert].map((a) => positionOf(a.streamId)),
    );
    expect([...order].sort((a, b) => (a < b ? -1 : 1))).toEqual(order);
    const [created] = await store().readStream(aggregate.streamId);
    expect(created!.metadata[CONSEQUENCES]).toEqual([
      { streamId: alert.streamId, expectedRevision: 'no_stream', events: alert.events },
    ]);
    const handed = await store().readStream(slot.streamId, { fromRevision: 1n });
    expect(handed.map((e) => e.metadata[CLAIMED_FOR])).toEqual([
      undefined,
      { streamId: aggregate.streamId, eventId: aggregate.events[0]!.id },
    ]);
    expect(await readReservation(store(), slot.streamId)).toMatchObject({ owner: 'new' });
    expect(verifyChain(await store().readStream(aggregate.streamId)).valid).toBe(true);
  });

  it('keeps the preceding fact, releases the hand-over and writes no consequence when the aggregate is refused', async () => {
    const expiry = newStream('holder', 't.expired.v1', 'precedes');
    const slot = await handOver('old', 'new');
    const aggregate = { ...newStream('agg', 't.created.v1'), expectedRevision: 3n };
    const alert = newStream('alert', 't.alert.v1', 'follows');
    const append = store().appendMulti([expiry, slot, aggregate, alert]);
    await expect(append).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await store().streamHead(expiry.streamId)).not.toBeNull();
    const reservation = await readReservation(store(), slot.streamId);
    expect(reservation).toMatchObject({ status: 'free' });
    const [compensation] = await store().readStream(slot.streamId, {
      direction: 'backwards',
      maxCount: 1,
    });
    expect(compensation!.data).toMatchObject({ owner: 'new', compensates: slot.events[1]!.id });
    expect(await store().streamHead(aggregate.streamId)).toBeNull();
    expect(await store().streamHead(alert.streamId)).toBeNull();
  });

  it('answers a superseded consequence with its stream head and keeps the aggregate', async () => {
    const outcome = newStream('outcome', 't.outcome.v1');
    await store().appendMulti([outcome]);
    const aggregate = newStream('agg', 't.created.v1');
    const late = { ...newStream('x', 't.outcome.v1', 'follows'), streamId: outcome.streamId };
    const [created, answered] = await store().appendMulti([aggregate, late]);
    expect(created!.nextRevision).toBe(0n);
    expect(answered).toMatchObject({ streamId: outcome.streamId, nextRevision: 0n });
    expect((await store().readStream(outcome.streamId)).map((e) => e.id)).toEqual([
      outcome.events[0]!.id,
    ]);
  });

  it('refuses consequences with no aggregate, and two aggregates, writing nothing', async () => {
    const lone = [newStream('a', 't.alert.v1', 'follows'), newStream('b', 't.alert.v1', 'follows')];
    const two = [newStream('c', 't.created.v1'), newStream('d', 't.created.v1')];
    for (const appends of [lone, two]) {
      await expect(store().appendMulti(appends)).rejects.toBeInstanceOf(
        MultiStreamAppendUnsupportedError,
      );
      for (const a of appends) expect(await store().streamHead(a.streamId)).toBeNull();
    }
  });
});

describe('the recovery job and consequences', () => {
  it('writes a consequence the writer could not, once; leaves a superseded one out', async () => {
    const from = await store().headPosition();
    const aggregate = newStream('agg', 't.created.v1');
    const alert = newStream('alert', 't.alert.v1', 'follows');
    const outcome = newStream('outcome', 't.outcome.v1', 'follows');
    // The node stops answering appends to the alert's stream after the aggregate was written
    // (the outcome, after it, is not tried: both are the recovery job's now).
    for (let i = 0; i < 3; i++) {
      double().fail({
        method: 'append',
        kind: 'no-answer',
        when: 'before',
        streamId: alert.streamId,
      });
    }
    const append = store().appendMulti([aggregate, alert, outcome]);
    await expect(append).rejects.toMatchObject({ appendOutcome: 'unknown' });
    await expect(append).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(await store().streamHead(aggregate.streamId)).not.toBeNull();
    expect(await store().streamHead(alert.streamId)).toBeNull();
    expect(await store().streamHead(outcome.streamId)).toBeNull();
    // Meanwhile another writer recorded the outcome stream's first event.
    await store().appendMulti(
      [newStream('other', 't.outcome.v1')].map((a) => ({ ...a, streamId: outcome.streamId })),
    );

    expect((await recoverMultiStreamAppends(store(), { fromPosition: from })).followed).toEqual([]);
    const report = await recoverMultiStreamAppends(store(), {
      fromPosition: from,
      graceMs: 500,
      now: new Date(Date.now() + 1000),
    });
    expect(report.followed).toEqual([{ streamId: alert.streamId, eventId: alert.events[0]!.id }]);
    expect(report.superseded).toEqual([
      { streamId: outcome.streamId, eventId: outcome.events[0]!.id },
    ]);
    const written = await store().readStream(alert.streamId);
    expect(written.map((e) => e.id)).toEqual([alert.events[0]!.id]);
    expect(verifyChain(written).valid).toBe(true);
    const again = await recoverMultiStreamAppends(store(), { fromPosition: from, graceMs: 0 });
    expect(again.followed).toEqual([]);
    expect(await store().readStream(alert.streamId)).toHaveLength(1);
  });
});
