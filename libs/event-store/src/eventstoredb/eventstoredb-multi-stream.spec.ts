/**
 * Multi-stream appends on EventStoreDB, which has no multi-stream transaction (the contract's
 * atomic parts are left out for it by capability): reservations first, the aggregate next, a
 * compensating release when the aggregate surely failed, releases last, and the recovery job
 * releasing a claim whose aggregate never followed (here: the node stopped answering between
 * the two appends, as a crashed writer leaves it); conditions on streams only read, pinned
 * before the write. Through the real client against the double.
 */
import { randomUUID } from 'node:crypto';
import { READ_PIN_EVENT } from '@kob/kernel';
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
  releaseReservation,
} from '../reservations';
import { EventStoreUnavailableError } from './eventstoredb-errors';
import { CLAIMED_FOR, MultiStreamAppendUnsupportedError } from './eventstoredb-multi-stream';
import { recoverMultiStreamAppends } from './multi-stream-recovery';

const TEST_APPEND_DEADLINE_MS = 300;

const { double, store } = useEventStoreDbDouble({ appendDeadlineMs: TEST_APPEND_DEADLINE_MS });

/** A claim of a fresh reservation by `owner`. */
async function claimOf(owner: string, reservation = stream('res')): Promise<StreamAppend> {
  const free = await readReservation(store(), reservation);
  return claimReservation(free, owner, { purpose: 'test' }, testMetadata(), randomUUID());
}

function newAggregate(): StreamAppend {
  return { streamId: stream('agg'), events: [ev('t.created.v1')], expectedRevision: 'no_stream' };
}

describe('multi-stream appends on EventStoreDB', () => {
  it('writes the claim, then the aggregate; the claim names the aggregate event it is for', async () => {
    const claim = await claimOf('owner-1');
    const aggregate = newAggregate();
    const results = await store().appendMulti([claim, aggregate]);
    expect(results.map((r) => r.streamId)).toEqual([claim.streamId, aggregate.streamId]);
    const [claimed] = await store().readStream(claim.streamId);
    expect(claimed!.metadata[CLAIMED_FOR]).toEqual({
      streamId: aggregate.streamId,
      eventId: aggregate.events[0]!.id,
    });
    expect(results[0]!.position.tx < results[1]!.position.tx).toBe(true);
    expect(await readReservation(store(), claim.streamId)).toMatchObject({ status: 'claimed' });
  });

  it('releases the claim at once when the aggregate append is refused', async () => {
    const claim = await claimOf('owner-1');
    const aggregate = { ...newAggregate(), expectedRevision: 4n };
    await expect(store().appendMulti([claim, aggregate])).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    const history = await store().readStream(claim.streamId);
    expect(history.map((e) => e.type)).toEqual([RESERVATION_CLAIMED, RESERVATION_RELEASED]);
    expect(history[1]!.data).toMatchObject({ owner: 'owner-1', compensates: history[0]!.id });
    expect(history[1]!.metadata[CLAIMED_FOR]).toBeUndefined();
    expect(verifyChain(history).valid).toBe(true);
    expect(await readReservation(store(), claim.streamId)).toMatchObject({ status: 'free' });
    expect(await store().streamHead(aggregate.streamId)).toBeNull();
  });

  it('releases the claims already written when a later claim is taken', async () => {
    const first = await claimOf('owner-1');
    const taken = await claimOf('owner-0');
    // Read while the reservation was free, sent after it was taken.
    const late = await claimOf('owner-1', taken.streamId);
    await store().appendMulti([taken]);
    const aggregate = newAggregate();
    await expect(store().appendMulti([first, late, aggregate])).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect(await readReservation(store(), first.streamId)).toMatchObject({ status: 'free' });
    expect(await readReservation(store(), taken.streamId)).toMatchObject({ owner: 'owner-0' });
    expect(await store().streamHead(aggregate.streamId)).toBeNull();
  });

  it('writes releases after the aggregate', async () => {
    const claim = await claimOf('owner-1');
    await store().appendMulti([claim]);
    const held = await readReservation(store(), claim.streamId);
    const release = releaseReservation(held, 'owner-1', testMetadata(), randomUUID());
    const aggregate = newAggregate();
    const [released, created] = await store().appendMulti([release, aggregate]);
    expect(created!.position.tx < released!.position.tx).toBe(true);
    expect(await readReservation(store(), claim.streamId)).toMatchObject({ status: 'free' });
  });

  it('refuses two aggregates in one append, writing nothing', async () => {
    const a = newAggregate();
    const b = newAggregate();
    await expect(store().appendMulti([a, b])).rejects.toBeInstanceOf(
      MultiStreamAppendUnsupportedError,
    );
    expect(await store().streamHead(a.streamId)).toBeNull();
    expect(await store().streamHead(b.streamId)).toBeNull();
  });

  it('pins each condition at the revision read before the write; a moved or missing fact refuses it', async () => {
    const fact = stream('fact');
    await store().appendToStream(fact, [ev('t.fact.v1')], { expectedRevision: 'no_stream' });
    const ok = newAggregate();
    await store().appendMulti([ok], { conditions: [{ streamId: fact, expectedRevision: 0n }] });
    const [pin] = await store().readStream(fact, { fromRevision: 1n });
    expect(pin).toMatchObject({
      type: READ_PIN_EVENT,
      revision: 1n,
      data: { decision: { streamId: ok.streamId, eventId: ok.events[0]!.id } },
    });
    expect(pin!.position.tx < (await store().readStream(ok.streamId))[0]!.position.tx).toBe(true);
    expect(verifyChain(await store().readStream(fact)).valid).toBe(true);
    // A second decision that read the fact at 0 as well: only a pin came since, no fact.
    const next = newAggregate();
    await store().appendMulti([next], { conditions: [{ streamId: fact, expectedRevision: 0n }] });
    expect((await store().streamHead(fact))!.revision).toBe(2n);
    // The fact changes: a decision that read it before is refused, and writes nothing.
    await store().appendToStream(fact, [ev('t.revoked.v1')], { expectedRevision: 2n });
    for (const condition of [
      { streamId: fact, expectedRevision: 2n },
      { streamId: fact, expectedRevision: 0n },
      { streamId: stream('missing'), expectedRevision: 0n },
    ]) {
      const refused = newAggregate();
      const append = store().appendMulti([refused], { conditions: [condition] });
      await expect(append).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(append).rejects.toMatchObject({ streamId: condition.streamId });
      expect(await store().streamHead(refused.streamId)).toBeNull();
    }
    expect((await store().streamHead(fact))!.revision).toBe(3n);
  });

  it('orders a pinned decision against a writer of the fact who read before the pin', async () => {
    const fact = stream('fact');
    await store().appendToStream(fact, [ev('t.fact.v1')], { expectedRevision: 'no_stream' });
    await store().appendMulti([newAggregate()], {
      conditions: [{ streamId: fact, expectedRevision: 0n }],
    });
    // The writer decided on revision 0: the pin since makes it read again.
    const stale = store().appendToStream(fact, [ev('t.revoked.v1')], { expectedRevision: 0n });
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });
});

describe('the recovery job', () => {
  it('releases a claim whose aggregate never followed, once it is older than the grace period', async () => {
    const from = await store().headPosition();
    const kept = await claimOf('owner-kept');
    await store().appendMulti([kept, newAggregate()]);
    const orphan = await claimOf('owner-lost');
    const aggregate = newAggregate();
    // The node stops answering after the claim: the aggregate's outcome is unknown, so the
    // adapter does not compensate (the aggregate might have been written) and the claim stays.
    for (let i = 0; i < 3; i++) {
      const streamId = aggregate.streamId;
      double().fail({ method: 'append', kind: 'no-answer', when: 'before', streamId });
    }
    const lost = store().appendMulti([orphan, aggregate]);
    await expect(lost).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(lost).rejects.toMatchObject({ appendOutcome: 'unknown' });
    expect(await readReservation(store(), orphan.streamId)).toMatchObject({ status: 'claimed' });

    // Too young to judge: an append could still be in flight.
    expect((await recoverMultiStreamAppends(store(), { fromPosition: from })).released).toEqual([]);
    const later = new Date(Date.now() + 1000);
    const report = await recoverMultiStreamAppends(store(), {
      fromPosition: from,
      graceMs: 500,
      now: later,
    });
    expect(report.released).toEqual([
      { streamId: orphan.streamId, claimEventId: orphan.events[0]!.id },
    ]);
    // It stopped at the last event there was when it read (the orphan claim), before its release.
    const [orphanClaim] = await store().readStream(orphan.streamId);
    expect(report.position).toEqual(orphanClaim!.position);
    expect(await readReservation(store(), orphan.streamId)).toMatchObject({ status: 'free' });
    expect(await readReservation(store(), kept.streamId)).toMatchObject({ status: 'claimed' });
    expect(verifyChain(await store().readStream(orphan.streamId)).valid).toBe(true);
    // A second run finds nothing left to do.
    const again = await recoverMultiStreamAppends(store(), { fromPosition: from, graceMs: 0 });
    expect(again.released).toEqual([]);
  });
});
