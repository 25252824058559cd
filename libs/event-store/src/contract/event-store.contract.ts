/**
 * The event store contract, written once for the port: every adapter (PostgreSQL now,
 * EventStoreDB later) runs it through `describeEventStoreContract`. Adapter-specific abilities
 * the contract needs (holding a writer's transaction open, editing a stored row behind the
 * store's back) come from the harness.
 */
import { randomUUID } from 'node:crypto';
import { systemActor } from '@kob/kernel';
import {
  type AppendMetadata,
  type EventStore,
  type NewEvent,
  type Position,
  type RecordedEvent,
  type StreamAppend,
  START,
  comparePositions,
  decodePosition,
  encodePosition,
} from '../event-store.port';
import { WrongExpectedRevisionError, MissingActorError } from '../errors';
import { GENESIS_HASH, verifyChain } from '../hash-chain';
import {
  claimReservation,
  readReservation,
  releaseReservation,
  ReservationTakenError,
} from '../reservations';

export interface ContractHarness {
  /** A store on an empty database. */
  store: EventStore;
  /** A second store on separate connections to the same database. */
  otherStore(): EventStore;
  /** Appends inside a transaction left open until commit(). */
  holdOpenAppend(append: StreamAppend): Promise<{ commit(): Promise<void> }>;
  /** Edits the stored data of one event, bypassing the store (as an attacker with DB access). */
  tamper(streamId: string, revision: bigint, data: unknown): Promise<void>;
  close(): Promise<void>;
}

export function testMetadata(extra: Partial<AppendMetadata> = {}): AppendMetadata {
  const id = randomUUID();
  return {
    actor: systemActor('system:test'),
    commandId: id,
    correlationId: id,
    causationId: id,
    occurredAt: new Date().toISOString(),
    ...extra,
  };
}

export function ev(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: testMetadata() };
}

/** How long the race test lets a conditional append run before the writer it waits for commits. */
const CONDITION_WAIT_MS = 300;

function stream(prefix = 'contract'): string {
  return `${prefix}-${randomUUID()}`;
}

async function drain(
  store: EventStore,
  from: Position | null,
  until: (e: RecordedEvent[]) => boolean,
) {
  const seen: RecordedEvent[] = [];
  let pos = from;
  for (let i = 0; i < 200 && !until(seen); i++) {
    const batch = await store.readAll({ fromPosition: pos, maxCount: 100 });
    seen.push(...batch);
    if (batch.length) pos = batch[batch.length - 1]!.position;
    else await new Promise((r) => setTimeout(r, 10));
  }
  return { seen, pos };
}

export function describeEventStoreContract(
  adapter: string,
  makeHarness: () => Promise<ContractHarness>,
) {
  describe(`event store contract: ${adapter}`, () => {
    let h: ContractHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h.close();
    });

    it('appends to a new stream and reads it back in order with the hash chain', async () => {
      const s = stream();
      const r1 = await h.store.appendToStream(s, [ev('t.a.v1', { n: 1 }), ev('t.b.v1', { n: 2 })], {
        expectedRevision: 'no_stream',
      });
      expect(r1.nextRevision).toBe(1n);
      const r2 = await h.store.appendToStream(s, [ev('t.c.v1', { n: 3 })], {
        expectedRevision: 1n,
      });
      expect(r2.nextRevision).toBe(2n);
      const events = await h.store.readStream(s);
      expect(events.map((e) => [e.revision, e.type, (e.data as { n: number }).n])).toEqual([
        [0n, 't.a.v1', 1],
        [1n, 't.b.v1', 2],
        [2n, 't.c.v1', 3],
      ]);
      expect(events[0]!.metadata.prevHash).toBe(GENESIS_HASH);
      expect(events[1]!.metadata.prevHash).toBe(events[0]!.metadata.hash);
      expect(verifyChain(events)).toEqual({ valid: true, events: 3, headHash: r2.headHash });
      const back = await h.store.readStream(s, { direction: 'backwards', maxCount: 2 });
      expect(back.map((e) => e.revision)).toEqual([2n, 1n]);
      expect(comparePositions(events[0]!.position, events[2]!.position)).toBeLessThan(0);
    });

    it('enforces no_stream, exact and any expected revisions with a typed conflict', async () => {
      const s = stream();
      await h.store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
      await expect(
        h.store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(
        h.store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 5n }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(
        h.store.appendToStream(stream(), [ev('t.a.v1')], { expectedRevision: 0n }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      const any1 = await h.store.appendToStream(s, [ev('t.b.v1')], { expectedRevision: 'any' });
      expect(any1.nextRevision).toBe(1n);
      const fresh = stream();
      const any2 = await h.store.appendToStream(fresh, [ev('t.b.v1')], { expectedRevision: 'any' });
      expect(any2.nextRevision).toBe(0n);
      expect(verifyChain(await h.store.readStream(s)).valid).toBe(true);
      expect(await h.store.readStream(stream())).toEqual([]);
    });

    it('refuses an event without an actor', async () => {
      const bad = ev('t.a.v1');
      delete (bad.metadata as Partial<AppendMetadata>).actor;
      await expect(
        h.store.appendToStream(stream(), [bad], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(MissingActorError);
    });

    it('lets exactly one of many concurrent appenders at the same revision win', async () => {
      const s = stream();
      await h.store.appendToStream(s, [ev('t.a.v1')], { expectedRevision: 'no_stream' });
      const stores = Array.from({ length: 8 }, () => h.otherStore());
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
      const events = await h.store.readStream(s);
      expect(events).toHaveLength(2);
      expect(verifyChain(events).valid).toBe(true);
      await Promise.all(stores.map((st) => st.close()));
    });

    it('lets exactly one of many concurrent no_stream creators win', async () => {
      const s = stream();
      const stores = Array.from({ length: 6 }, () => h.otherStore());
      const results = await Promise.allSettled(
        stores.map((st) =>
          st.appendToStream(s, [ev('t.created.v1')], { expectedRevision: 'no_stream' }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await h.store.readStream(s)).length).toBe(1);
      await Promise.all(stores.map((st) => st.close()));
    });

    it('appends to several streams atomically: all or nothing', async () => {
      const a = stream();
      const b = stream();
      const taken = stream();
      await h.store.appendToStream(taken, [ev('t.x.v1')], { expectedRevision: 'no_stream' });
      await expect(
        h.store.appendMulti([
          { streamId: a, events: [ev('t.a.v1')], expectedRevision: 'no_stream' },
          { streamId: taken, events: [ev('t.a.v1')], expectedRevision: 'no_stream' },
        ]),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await h.store.readStream(a)).toEqual([]);
      expect(await h.store.streamHead(a)).toBeNull();
      const ok = await h.store.appendMulti([
        { streamId: a, events: [ev('t.a.v1')], expectedRevision: 'no_stream' },
        { streamId: b, events: [ev('t.b.v1'), ev('t.b.v1')], expectedRevision: 'no_stream' },
        { streamId: taken, events: [ev('t.c.v1')], expectedRevision: 0n },
      ]);
      expect(ok.map((r) => r.nextRevision)).toEqual([0n, 1n, 1n]);
      expect((await h.store.readStream(b)).length).toBe(2);
    });

    it('appends conditionally on the revisions of streams it only read', async () => {
      const fact = stream('fact');
      await h.store.appendToStream(fact, [ev('t.fact.v1')], { expectedRevision: 'no_stream' });
      const [ok] = await h.store.appendMulti(
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
        const refused = h.store.appendMulti(
          [{ streamId: target, events: [ev('t.x.v1')], expectedRevision: 'no_stream' }],
          { conditions: [condition] },
        );
        await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(refused).rejects.toMatchObject({ streamId: condition.streamId });
        expect(await h.store.streamHead(target)).toBeNull();
      }
      // The condition's stream is not written: its head did not move.
      expect((await h.store.streamHead(fact))!.revision).toBe(0n);
    });

    it('orders a condition against a concurrent writer of its stream: the writer first, then the conditional append refused', async () => {
      const fact = stream('fact');
      await h.store.appendToStream(fact, [ev('t.fact.v1')], { expectedRevision: 'no_stream' });
      // A revocation of the fact, committed late: the conditional append read the fact before it.
      const revocation = await h.holdOpenAppend({
        streamId: fact,
        events: [ev('t.revoked.v1')],
        expectedRevision: 0n,
      });
      const target = stream();
      const conditional = h
        .otherStore()
        .appendMulti(
          [{ streamId: target, events: [ev('t.x.v1')], expectedRevision: 'no_stream' }],
          {
            conditions: [{ streamId: fact, expectedRevision: 0n }],
          },
        );
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
      expect(await h.store.streamHead(target)).toBeNull();
      // Read again, at the new revision: it goes through.
      await h.store.appendMulti(
        [{ streamId: target, events: [ev('t.x.v1')], expectedRevision: 'no_stream' }],
        {
          conditions: [{ streamId: fact, expectedRevision: 1n }],
        },
      );
      expect((await h.store.streamHead(target))!.revision).toBe(0n);
    });

    it('reads $all from a position token and never skips a late commit', async () => {
      const head = await h.store.headPosition();
      const a = stream('late-a');
      const b = stream('late-b');
      // Writer A appends and keeps its transaction open; writer B appends after A and commits.
      const heldA = await h.holdOpenAppend({
        streamId: a,
        events: [ev('t.a.v1')],
        expectedRevision: 'no_stream',
      });
      await h.otherStore().appendToStream(b, [ev('t.b.v1')], { expectedRevision: 'no_stream' });
      // The reader reads now: B is committed, A is not.
      const first = await h.store.readAll({ fromPosition: head, maxCount: 100 });
      const ours = (evts: RecordedEvent[]) =>
        evts.filter((e) => e.streamId === a || e.streamId === b);
      expect(ours(first).map((e) => e.streamId)).not.toContain(a);
      const afterFirst = first.length ? first[first.length - 1]!.position : head;
      // A commits; reading on from where the reader stopped delivers A exactly once, and B once.
      await heldA.commit();
      const { seen } = await drain(h.store, afterFirst, (s) =>
        ours(s).some((e) => e.streamId === a),
      );
      const all = ours([...first, ...seen]);
      expect(all.filter((e) => e.streamId === a)).toHaveLength(1);
      expect(all.filter((e) => e.streamId === b)).toHaveLength(1);
      const token = encodePosition(all[0]!.position);
      expect(decodePosition(token)).toEqual(all[0]!.position);
      expect(token).not.toMatch(/^\d+$/);
    });

    it('resumes a subscription from a checkpoint token, catch-up then live', async () => {
      const s = stream('sub');
      const start = await h.store.headPosition();
      await h.store.appendToStream(s, [ev('t.1.v1'), ev('t.2.v1'), ev('t.3.v1')], {
        expectedRevision: 'no_stream',
      });
      const controller = new AbortController();
      const got: RecordedEvent[] = [];
      let checkpoint: string | null = null;
      for await (const e of h.store.subscribeToAll({
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
        for await (const e of h.store.subscribeToAll({
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
      await h.otherStore().appendToStream(s, [ev('t.4.v1')], { expectedRevision: 2n });
      await live;
      expect(rest.map((e) => e.type)).toEqual(['t.3.v1', 't.4.v1']);
    });

    it('claims, conflicts on, releases and re-claims a reservation at exact revisions', async () => {
      const r = stream('res');
      const free = await readReservation(h.store, r);
      expect(free.status).toBe('free');
      await h.store.appendMulti([
        claimReservation(free, 'owner-1', { purpose: 'test' }, testMetadata(), randomUUID()),
      ]);
      const claimed = await readReservation(h.store, r);
      expect(claimed).toMatchObject({ status: 'claimed', owner: 'owner-1', revision: 0n });
      expect(() => claimReservation(claimed, 'owner-2', {}, testMetadata(), randomUUID())).toThrow(
        ReservationTakenError,
      );
      // A racer that read the reservation while it was free loses at the database.
      await expect(
        h.store.appendMulti([claimReservation(free, 'owner-2', {}, testMetadata(), randomUUID())]),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await h.store.appendMulti([
        releaseReservation(claimed, 'owner-1', testMetadata(), randomUUID()),
      ]);
      const released = await readReservation(h.store, r);
      expect(released.status).toBe('free');
      await h.store.appendMulti([
        claimReservation(released, 'owner-2', {}, testMetadata(), randomUUID()),
      ]);
      expect(await readReservation(h.store, r)).toMatchObject({
        status: 'claimed',
        owner: 'owner-2',
        revision: 2n,
      });
      expect(verifyChain(await h.store.readStream(r)).valid).toBe(true);
    });

    it('detects an edited row and names the first bad revision', async () => {
      const s = stream('chain');
      await h.store.appendToStream(
        s,
        [ev('t.a.v1', { amount: '10.00' }), ev('t.b.v1', { amount: '5.00' }), ev('t.c.v1')],
        {
          expectedRevision: 'no_stream',
        },
      );
      expect(verifyChain(await h.store.readStream(s)).valid).toBe(true);
      await h.tamper(s, 1n, { amount: '500.00' });
      const verdict = verifyChain(await h.store.readStream(s));
      expect(verdict).toMatchObject({ valid: false, firstBadRevision: 1n });
    });

    it('starts $all at START and positions are totally ordered', async () => {
      const all = await h.store.readAll({ fromPosition: START, maxCount: 50 });
      for (let i = 1; i < all.length; i++) {
        expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBeLessThan(0);
      }
    });
  });
}
