/**
 * Group commit (append-batcher.ts) on a real PostgreSQL, as the service role: commands appended
 * concurrently share one transaction, yet each command's expected revisions and conditions are
 * checked on its own and a refused command changes nothing.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { ev, stream } from '../contract/contract-kit';
import { DuplicateEventIdError, UnstorableEventError, WrongExpectedRevisionError } from '../errors';
import type { AppendResult, StreamAppend } from '../event-store.port';
import { verifyChain } from '../hash-chain';
import { PostgresEventStore } from './postgres-event-store';

let tdb: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  tdb = await testDatabase();
  store = new PostgresEventStore(tdb.newServicePool(8));
});
afterAll(() => tdb.close());

function batcher() {
  const b = store.batcher;
  if (!b) throw new Error('group commit is on by default');
  return b;
}

async function created(n: number): Promise<{ id: string; head: AppendResult }[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const id = stream('batch');
      const head = await store.appendToStream(id, [ev('opened')], {
        expectedRevision: 'no_stream',
      });
      return { id, head };
    }),
  );
}

function next(s: { id: string; head: AppendResult }, type = 'next'): StreamAppend {
  return {
    streamId: s.id,
    events: [ev(type), ev(`${type}.too`)],
    expectedRevision: s.head.nextRevision,
    expectedHeadHash: s.head.headHash,
  };
}

it('writes concurrent commands in one transaction and answers each with its own revisions', async () => {
  const streams = await created(20);
  const before = { ...batcher().stats };
  const results = await Promise.all(streams.map((s) => store.appendMulti([next(s)])));
  expect(batcher().stats.largest).toBeGreaterThan(1);
  expect(batcher().stats.batches - before.batches).toBeLessThan(20);
  expect(new Set(results.map(([r]) => r!.position.tx)).size).toBeLessThan(20);
  for (const [i, s] of streams.entries()) {
    const [r] = results[i]!;
    expect(r!.nextRevision).toBe(2n);
    const events = await store.readStream(s.id);
    expect(events.map((e) => e.type)).toEqual(['opened', 'next', 'next.too']);
    expect(verifyChain(events).valid).toBe(true);
    expect(events[2]!.position).toEqual(r!.position);
    expect((await store.streamHead(s.id))!.headHash).toBe(r!.headHash);
  }
});

it('refuses only the command whose expected revision is stale; the rest of its batch commits', async () => {
  const streams = await created(6);
  const stale = { ...next(streams[2]!), expectedRevision: 5n };
  const { fallbacks, batches } = batcher().stats;
  const outcomes = await Promise.allSettled(
    streams.map((s, i) => store.appendMulti([i === 2 ? stale : next(s)])),
  );
  expect(outcomes.map((o) => o.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'rejected',
    'fulfilled',
    'fulfilled',
    'fulfilled',
  ]);
  expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
  // Refused inside the batch (not by a batch failure written again command by command).
  expect(batcher().stats.fallbacks).toBe(fallbacks);
  expect(batcher().stats.batches - batches).toBeLessThan(6);
  expect((await store.readStream(streams[2]!.id)).length).toBe(1);
  expect((await store.readStream(streams[3]!.id)).length).toBe(3);
});

it('rolls back every append of a refused multi-stream command, and checks its conditions', async () => {
  const [a, b, c, read] = await created(4);
  const { fallbacks } = batcher().stats;
  const fresh = stream('batch-new');
  // Command 1: a new stream and `a`, conditioned on `read` at a revision it is not at.
  const refusedCommand = store.appendMulti(
    [{ streamId: fresh, events: [ev('born')], expectedRevision: 'no_stream' }, next(a!)],
    { conditions: [{ streamId: read!.id, expectedRevision: 7n }] },
  );
  // Command 2: `b` and `c`, conditioned on `read` where it is.
  const accepted = store.appendMulti([next(b!), next(c!)], {
    conditions: [{ streamId: read!.id, expectedRevision: 0n }],
  });
  await expect(refusedCommand).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  expect((await accepted).map((r) => r.nextRevision)).toEqual([2n, 2n]);
  expect(await store.streamHead(fresh)).toBeNull();
  expect(await store.readStream(fresh)).toEqual([]);
  expect((await store.readStream(a!.id)).length).toBe(1);
  expect(batcher().stats.fallbacks).toBe(fallbacks);
});

it('puts two commands on one stream in different batches: the second sees the first', async () => {
  const [s] = await created(1);
  const outcomes = await Promise.allSettled([
    store.appendMulti([next(s!, 'first')]),
    store.appendMulti([next(s!, 'second')]),
  ]);
  expect(outcomes[0]!.status).toBe('fulfilled');
  expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
  const events = await store.readStream(s!.id);
  expect(events.map((e) => e.type)).toEqual(['opened', 'first', 'first.too']);
  expect(verifyChain(events).valid).toBe(true);
});

it('refuses a reused event id as a duplicate, for its command only', async () => {
  const streams = await created(3);
  const taken = (await store.readStream(streams[0]!.id))[0]!.id;
  const { fallbacks } = batcher().stats;
  const reuse: StreamAppend = {
    ...next(streams[1]!),
    events: [{ ...ev('again'), id: taken }],
  };
  const outcomes = await Promise.allSettled([
    store.appendMulti([next(streams[0]!)]),
    store.appendMulti([reuse]),
    store.appendMulti([next(streams[2]!)]),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
  expect((await store.readStream(streams[1]!.id)).length).toBe(1);
  expect(batcher().stats.fallbacks).toBe(fallbacks);
});

it('a batch the database refuses as a whole is written command by command: only the bad one fails', async () => {
  const streams = await created(4);
  const fallbacks = batcher().stats.fallbacks;
  // A NUL character cannot be stored in jsonb: the batch's statement fails before it runs.
  const unstorable: StreamAppend = {
    ...next(streams[1]!),
    events: [ev('nul', { note: 'a\u0000b' })],
  };
  const outcomes = await Promise.allSettled(
    streams.map((s, i) => store.appendMulti([i === 1 ? unstorable : next(s)])),
  );
  expect(outcomes.map((o) => o.status)).toEqual([
    'fulfilled',
    'rejected',
    'fulfilled',
    'fulfilled',
  ]);
  expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(UnstorableEventError);
  expect(batcher().stats.fallbacks).toBeGreaterThan(fallbacks);
  for (const i of [0, 2, 3]) expect((await store.readStream(streams[i]!.id)).length).toBe(3);
});

it('a stream created by another transaction after the batch checked it fails the batch whole; each command then gets its own answer', async () => {
  const streams = await created(3);
  const raced = stream('batch-raced');
  // Another writer creates `raced` and has not committed: the batch's check cannot see it, and
  // its insert of the head row waits on that writer's unique-index entry.
  const other = await tdb.pool.connect();
  try {
    await other.query('BEGIN');
    await other.query(
      "INSERT INTO streams (stream_id, revision, head_hash) VALUES ($1, 0, repeat('0', 64))",
      [raced],
    );
    const fallbacks = batcher().stats.fallbacks;
    const racing = [
      ...streams.map((s) => store.appendMulti([next(s)])),
      store.appendMulti([
        { streamId: raced, events: [ev('opened')], expectedRevision: 'no_stream' },
      ]),
    ];
    const outcomes = Promise.allSettled(racing);
    await waitUntil(async () => (await lockWaiters()) > 0);
    await other.query('COMMIT');
    const settled = await outcomes;
    expect(settled.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(batcher().stats.fallbacks).toBe(fallbacks + 1);
    for (const s of streams) expect((await store.readStream(s.id)).length).toBe(3);
    expect(await store.readStream(raced)).toEqual([]);
  } finally {
    other.release();
  }
});

/** Sessions of the database waiting for a lock (the batch, on the other writer's row). */
async function lockWaiters(): Promise<number> {
  const res = await tdb.pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
  );
  return Number(res.rows[0]!.n);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('a command whose events cannot be chained fails alone; the others of its batch are written', async () => {
  const streams = await created(3);
  const fallbacks = batcher().stats.fallbacks;
  // A BigInt has no JSON form: the batch's arrays cannot be built with it.
  const unchainable: StreamAppend = {
    ...next(streams[1]!),
    events: [ev('big', { n: 1n })],
  };
  const outcomes = await Promise.allSettled(
    streams.map((s, i) => store.appendMulti([i === 1 ? unchainable : next(s)])),
  );
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(batcher().stats.fallbacks).toBe(fallbacks + 1);
  expect((await store.readStream(streams[1]!.id)).length).toBe(1);
  for (const i of [0, 2]) expect((await store.readStream(streams[i]!.id)).length).toBe(3);
});

it('`any` appends take the single-command path and still write', async () => {
  const id = stream('batch-any');
  const commands = batcher().stats.commands;
  const r = await store.appendToStream(id, [ev('x')], { expectedRevision: 'any' });
  expect(r.nextRevision).toBe(0n);
  expect(batcher().stats.commands).toBe(commands);
});

it('property: concurrent commands with random expectations end as a sequential model says', async () => {
  const names = ['p', 'q', 'r', 's'];
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          streams: fc.subarray(names, { minLength: 1, maxLength: 3 }),
          reads: fc.subarray(names, { maxLength: 2 }),
          stale: fc.boolean(),
        }),
        { minLength: 1, maxLength: 24 },
      ),
      async (commands) => {
        const run = randomUUID().slice(0, 8);
        const id = (n: string) => `prop-${run}-${n}`;
        // Every stream starts at revision 0; each command expects that (or a stale 3).
        const heads = new Map<string, AppendResult>();
        for (const n of names)
          heads.set(
            n,
            await store.appendToStream(id(n), [ev('opened')], { expectedRevision: 'no_stream' }),
          );
        const outcomes = await Promise.allSettled(
          commands.map((c) => {
            const readOnly = c.reads.filter((n) => !c.streams.includes(n));
            return store.appendMulti(
              c.streams.map((n) => ({
                streamId: id(n),
                events: [ev(`w.${n}`)],
                expectedRevision: c.stale ? 3n : 0n,
                expectedHeadHash: heads.get(n)!.headHash,
              })),
              { conditions: readOnly.map((n) => ({ streamId: id(n), expectedRevision: 0n })) },
            );
          }),
        );
        // The model: in queue order, a command succeeds iff none of its streams (written or
        // read) was written by an earlier successful command and it is not stale.
        const written = new Set<string>();
        const expected = commands.map((c) => {
          const touched = [...c.streams, ...c.reads];
          const ok = !c.stale && touched.every((n) => !written.has(n));
          if (ok) for (const n of c.streams) written.add(n);
          return ok;
        });
        expect(outcomes.map((o) => o.status === 'fulfilled')).toEqual(expected);
        for (const n of names) {
          const events = await store.readStream(id(n));
          expect(events.length).toBe(written.has(n) ? 2 : 1);
          expect(verifyChain(events).valid).toBe(true);
        }
      },
    ),
    { numRuns: 25 },
  );
});
