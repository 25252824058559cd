/**
 * The command pipeline on a real PostgreSQL: actors on every event, idempotency on both paths
 * (a stream named by the caller, and a derived id with an `idem-` reservation), contention inside
 * one process (queued: business answers, no conflicts) and across processes (separate runners:
 * bounded retries, then CONCURRENCY_CONFLICT), and a stale cache that heals itself.
 */
import { randomUUID } from 'node:crypto';
import { AssertionError, DomainError, type Actor, systemActor, uuidV5 } from '@kob/kernel';
import { tallyDecider, userDecider } from '@kob/domain';
import { PostgresEventStore, verifyChain } from '@kob/event-store';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { CommandRunner, type CommandMetadata } from './command-runner';

let tdb: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  tdb = await testDatabase();
  store = new PostgresEventStore(tdb.pool);
});
afterAll(() => tdb.close());

const apiActor: Actor = {
  kind: 'api_key',
  keyId: 'k1',
  keyPrefix: 'koba_abc123',
  scope: 'sender',
  userId: 'u1',
};

function meta(idem?: { key: string; body: unknown; path?: string }): CommandMetadata {
  const id = randomUUID();
  return {
    actor: apiActor,
    commandId: id,
    correlationId: `req-${id}`,
    causationId: `req-${id}`,
    now: new Date('2026-11-24T10:00:00.000Z'),
    ...(idem
      ? {
          idempotency: {
            key: idem.key,
            scope: `user:u1|POST ${idem.path ?? '/tallies'}`,
            requestHash: JSON.stringify(idem.body),
          },
        }
      : {}),
  };
}

function metaEvent() {
  const id = randomUUID();
  return {
    actor: apiActor,
    commandId: id,
    correlationId: id,
    causationId: id,
    occurredAt: new Date().toISOString(),
  };
}

async function openTally(runner: CommandRunner, currency = 'USD'): Promise<string> {
  const tallyId = randomUUID();
  await runner.execute({
    streamId: `tally-${tallyId}`,
    decider: tallyDecider,
    command: { type: 'OpenTally', tallyId, currency, now: '2026-11-24T10:00:00.000Z' },
    metadata: meta(),
  });
  return tallyId;
}

function add(
  runner: CommandRunner,
  tallyId: string,
  amount: string,
  m = meta(),
  limit: string | null = null,
) {
  return runner.execute({
    streamId: `tally-${tallyId}`,
    decider: tallyDecider,
    command: { type: 'AddToTally', tallyId, amount, scale: 2, limit },
    metadata: m,
  });
}

/** A store on a pool of its own (another process) that notes every stream it reads. */
function readCountingStore(reads: string[]): PostgresEventStore {
  const counting = new PostgresEventStore(tdb.newPool(2));
  const readStream = counting.readStream.bind(counting);
  counting.readStream = async (streamId, options) => {
    reads.push(streamId);
    return readStream(streamId, options);
  };
  return counting;
}

async function eventCount(streamPrefix: string): Promise<number> {
  const res = await tdb.pool.query(
    'SELECT count(*)::int AS n FROM events WHERE stream_id LIKE $1',
    [`${streamPrefix}%`],
  );
  return res.rows[0].n as number;
}

describe('command runner', () => {
  it('copies the actor and correlation metadata into every event, on a valid chain', async () => {
    const runner = new CommandRunner(store);
    const tallyId = await openTally(runner);
    const m = meta({ key: 'k-meta', body: { amount: '1.00' } });
    await add(runner, tallyId, '1.00', m);
    const events = await store.readStream(`tally-${tallyId}`);
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.metadata.actor).toEqual(apiActor);
    expect(events[1]!.metadata).toMatchObject({
      commandId: m.commandId,
      correlationId: m.correlationId,
      causationId: m.causationId,
      occurredAt: '2026-11-24T10:00:00.000Z',
      idempotencyKey: 'k-meta',
      idempotencyScope: 'user:u1|POST /tallies',
      requestHash: JSON.stringify({ amount: '1.00' }),
    });
    expect(verifyChain(events).valid).toBe(true);
  });

  it('refuses a command without an actor and appends nothing', async () => {
    const runner = new CommandRunner(store);
    const tallyId = randomUUID();
    const bad = { ...meta() } as Partial<CommandMetadata>;
    delete bad.actor;
    await expect(
      runner.execute({
        streamId: `tally-${tallyId}`,
        decider: tallyDecider,
        command: { type: 'OpenTally', tallyId, currency: 'USD', now: 'x' },
        metadata: bad as CommandMetadata,
      }),
    ).rejects.toBeInstanceOf(AssertionError);
    expect(await eventCount(`tally-${tallyId}`)).toBe(0);
  });

  it('answers a repeated key on an existing stream with the first result and no new events', async () => {
    const runner = new CommandRunner(store);
    const tallyId = await openTally(runner);
    const first = await add(
      runner,
      tallyId,
      '2.50',
      meta({ key: 'dep-1', body: { amount: '2.50' } }),
    );
    const again = await add(
      runner,
      tallyId,
      '2.50',
      meta({ key: 'dep-1', body: { amount: '2.50' } }),
    );
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.events).toEqual(first.events);
    expect(await eventCount(`tally-${tallyId}`)).toBe(2);
    // A new process (empty cache) still recognises the key: it lives in the events' metadata.
    const fresh = new CommandRunner(store);
    const third = await add(
      fresh,
      tallyId,
      '2.50',
      meta({ key: 'dep-1', body: { amount: '2.50' } }),
    );
    expect(third.replayed).toBe(true);
    expect(third.events).toEqual(first.events);
    await expect(
      add(fresh, tallyId, '9.99', meta({ key: 'dep-1', body: { amount: '9.99' } })),
    ).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await eventCount(`tally-${tallyId}`)).toBe(2);
  });

  it('does not use up a key when the command is rejected', async () => {
    const runner = new CommandRunner(store);
    const tallyId = await openTally(runner);
    await expect(
      add(runner, tallyId, '50.00', meta({ key: 'k-rej', body: { a: 50 } }), '10.00'),
    ).rejects.toMatchObject({
      code: 'TALLY_LIMIT_EXCEEDED',
    });
    const ok = await add(runner, tallyId, '5.00', meta({ key: 'k-rej', body: { a: 5 } }), '10.00');
    expect(ok.replayed).toBe(false);
    expect(ok.state.total).toBe('5.00');
  });

  it('derives the id of a created stream from (scope, key) and replays duplicates', async () => {
    const runner = new CommandRunner(store);
    const key = `create-${randomUUID()}`;
    const create = (r: CommandRunner, body: unknown = { currency: 'EUR' }) =>
      r.executeWithDerivedId({
        decider: tallyDecider,
        metadata: meta({ key, body }),
        targetStream: (id) => `tally-${id}`,
        command: (id) => ({
          type: 'OpenTally' as const,
          tallyId: id,
          currency: 'EUR',
          now: '2026-11-24T10:00:00.000Z',
        }),
      });
    const first = await create(runner);
    expect(first.id).toBe(uuidV5(`user:u1|POST /tallies\n${key}`));
    const again = await create(new CommandRunner(store));
    expect(again).toMatchObject({ id: first.id, replayed: true });
    expect(again.events).toEqual(first.events);
    await expect(create(runner, { currency: 'USD' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await eventCount(`tally-${first.id}`)).toBe(1);
    const reservation = await store.readStream(`idem-${first.id}`);
    expect(reservation).toHaveLength(1);
    expect(reservation[0]!.data).toMatchObject({
      target: `tally-${first.id}`,
      requestHash: JSON.stringify({ currency: 'EUR' }),
    });
  });

  it('answers a key whose claim names a target not written yet with a retryable 409', async () => {
    // What a retry can meet on a store that writes the claim and the target in two steps.
    const key = `pending-${randomUUID()}`;
    const body = { currency: 'EUR' };
    const id = uuidV5(`user:u1|POST /tallies\n${key}`);
    await store.appendToStream(
      `idem-${id}`,
      [
        {
          id: randomUUID(),
          type: 'reservation.claimed.v1',
          data: { owner: `tally:${id}`, target: `tally-${id}`, requestHash: JSON.stringify(body) },
          metadata: metaEvent(),
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const retry = new CommandRunner(store).executeWithDerivedId({
      decider: tallyDecider,
      metadata: meta({ key, body }),
      targetStream: (tid) => `tally-${tid}`,
      command: (tid) => ({
        type: 'OpenTally' as const,
        tallyId: tid,
        currency: 'EUR',
        now: '2026-11-24T10:00:00.000Z',
      }),
    });
    await expect(retry).rejects.toBeInstanceOf(DomainError);
    await expect(retry).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
      kind: 'conflict',
    });
    expect(await eventCount(`tally-${id}`)).toBe(0);
  });

  it('resolves concurrent duplicates of a create across processes to one stream', async () => {
    const key = `race-${randomUUID()}`;
    const runners = Array.from(
      { length: 6 },
      () => new CommandRunner(new PostgresEventStore(tdb.newPool(2))),
    );
    const results = await Promise.all(
      runners.map((r) =>
        r.executeWithDerivedId({
          decider: tallyDecider,
          metadata: meta({ key, body: { currency: 'USD' } }),
          targetStream: (id) => `tally-${id}`,
          command: (id) => ({ type: 'OpenTally' as const, tallyId: id, currency: 'USD', now: 'n' }),
        }),
      ),
    );
    const ids = new Set(results.map((r) => r.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await eventCount(`tally-${results[0]!.id}`)).toBe(1);
  });

  it('queues parallel commands on one stream inside a process: business answers, no conflicts', async () => {
    const runner = new CommandRunner(store);
    const tallyId = await openTally(runner);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => add(runner, tallyId, '1.00', meta(), '10.00')),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const codes = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => ((o as PromiseRejectedResult).reason as DomainError).code);
    expect(ok).toHaveLength(10);
    expect(codes).toEqual(Array(10).fill('TALLY_LIMIT_EXCEEDED'));
    const { state } = await new CommandRunner(store).read(`tally-${tallyId}`, tallyDecider);
    expect(state.total).toBe('10.00');
  });

  it('runs the commands given its hold inside an exclusive section; the others wait their turn', async () => {
    for (const checkStreamHolds of [false, true]) {
      const runner = new CommandRunner(store, { checkStreamHolds });
      const tallyId = await openTally(runner);
      const stream = `tally-${tallyId}`;
      const order: string[] = [];
      let entered!: () => void;
      const inSection = new Promise<void>((resolve) => (entered = resolve));
      const section = runner.exclusive(stream, async (hold) => {
        entered();
        await new Promise((r) => setTimeout(r, 20));
        const inside = await runner.execute({
          streamId: stream,
          decider: tallyDecider,
          command: { type: 'AddToTally', tallyId, amount: '1.00', scale: 2, limit: null },
          metadata: meta(),
          hold,
        });
        order.push(`inside ${inside.state.total}`);
      });
      await inSection;
      // Another request's command on the stream: queued behind the section.
      const outside = add(runner, tallyId, '5.00').then(() => order.push('outside'));
      await Promise.all([section, outside]);
      expect(order).toEqual(['inside 1.00', 'outside']);
      const { state } = await runner.read(stream, tallyDecider);
      expect(state.total).toBe('6.00');
    }
  });

  it('checking holds, refuses a command for the held stream that forgot its hold', async () => {
    const runner = new CommandRunner(store, { checkStreamHolds: true });
    const tallyId = await openTally(runner);
    await expect(
      runner.exclusive(`tally-${tallyId}`, () => add(runner, tallyId, '1.00')),
    ).rejects.toThrow(/did not pass its hold/);
    expect(await eventCount(`tally-${tallyId}`)).toBe(1);
  });

  it('retries across processes with the expected revision deciding, never losing an update', async () => {
    const seed = new CommandRunner(store);
    const tallyId = await openTally(seed);
    const runners = Array.from(
      { length: 4 },
      () => new CommandRunner(new PostgresEventStore(tdb.newPool(3))),
    );
    const outcomes = await Promise.allSettled(
      runners.flatMap((r) => Array.from({ length: 5 }, () => add(r, tallyId, '1.00'))),
    );
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    for (const f of failed) expect((f.reason as DomainError).code).toBe('CONCURRENCY_CONFLICT');
    expect(succeeded + failed.length).toBe(20);
    const events = await store.readStream(`tally-${tallyId}`);
    expect(events).toHaveLength(1 + succeeded);
    expect(verifyChain(events).valid).toBe(true);
    const { state } = await new CommandRunner(store).read(`tally-${tallyId}`, tallyDecider);
    expect(state.total).toBe(`${succeeded}.00`);
  });

  it('retries when another process appends between its read and its append', async () => {
    const seed = new CommandRunner(store);
    const tallyId = await openTally(seed);
    const other = new CommandRunner(new PostgresEventStore(tdb.newPool(2)));
    // A store that lets the other process win the race exactly once, right before our append.
    let interleaved = false;
    const racing = new PostgresEventStore(tdb.newPool(2));
    const appendMulti = racing.appendMulti.bind(racing);
    racing.appendMulti = async (appends) => {
      if (!interleaved) {
        interleaved = true;
        await add(other, tallyId, '4.00');
      }
      return appendMulti(appends);
    };
    const retried: string[] = [];
    const runner = new CommandRunner(racing, { onConflictRetry: (s) => retried.push(s) });
    const res = await add(runner, tallyId, '1.00', meta(), '5.00');
    expect(retried).toEqual([`tally-${tallyId}`]);
    expect(res.state.total).toBe('5.00');
    // The limit is decided on the fresh state after the retry, not on the stale one.
    await expect(add(runner, tallyId, '0.01', meta(), '5.00')).rejects.toMatchObject({
      code: 'TALLY_LIMIT_EXCEEDED',
    });
  });

  it('tops up a cached state with what another process appended since', async () => {
    const a = new CommandRunner(store);
    const b = new CommandRunner(new PostgresEventStore(tdb.newPool(2)));
    const tallyId = await openTally(a);
    await add(a, tallyId, '1.00');
    await add(b, tallyId, '2.00');
    const res = await add(a, tallyId, '3.00', meta(), '6.00');
    expect(res.state.total).toBe('6.00');
    await expect(add(a, tallyId, '0.01', meta(), '6.00')).rejects.toMatchObject({
      code: 'TALLY_LIMIT_EXCEEDED',
    });
  });

  it('replays the first answer, not the state the stream has reached since', async () => {
    const runner = new CommandRunner(store);
    const key = `open-${randomUUID()}`;
    const open = (r: CommandRunner) =>
      r.executeWithDerivedId({
        decider: tallyDecider,
        metadata: meta({ key, body: { c: 'USD' } }),
        targetStream: (id) => `tally-${id}`,
        command: (id) => ({ type: 'OpenTally' as const, tallyId: id, currency: 'USD', now: 'n' }),
      });
    const opened = await open(runner);
    const first = await add(runner, opened.id, '10.00', meta({ key: 'k1', body: { a: 10 } }));
    await add(runner, opened.id, '5.00', meta({ key: 'k2', body: { a: 5 } }));
    const replayed = await add(
      new CommandRunner(store),
      opened.id,
      '10.00',
      meta({ key: 'k1', body: { a: 10 } }),
    );
    expect(replayed).toMatchObject({
      replayed: true,
      revision: first.revision,
      state: { total: '10.00', additions: 1 },
    });
    expect(replayed.position).toEqual(first.position);
    const reopened = await open(new CommandRunner(store));
    expect(reopened).toMatchObject({
      replayed: true,
      revision: 0n,
      state: { total: '0', additions: 0 },
    });
  });

  it('decides on the cached state without reading, and re-reads before trusting a no-op or a refusal', async () => {
    const reads: string[] = [];
    const counting = readCountingStore(reads);
    const a = new CommandRunner(counting);
    const b = new CommandRunner(new PostgresEventStore(tdb.newPool(2)));
    const userId = randomUUID();
    const stream = `user-${userId}`;
    const register = {
      type: 'RegisterUser' as const,
      userId,
      username: 'u',
      email: 'u@example.org',
      isActive: true,
      publicTag: null,
      role: 'user' as const,
      number: 1,
      now: 'n',
    };
    await a.execute({
      streamId: stream,
      decider: userDecider,
      command: register,
      metadata: meta(),
    });
    reads.length = 0;
    // A hot stream: the next command appends without reading first.
    await a.execute({
      streamId: stream,
      decider: userDecider,
      command: { type: 'UpdateUser', userId, isActive: false, now: 'n' },
      metadata: meta(),
    });
    expect(reads).toEqual([]);
    // Another process reactivates: A's cache still says inactive.
    await b.execute({
      streamId: stream,
      decider: userDecider,
      command: { type: 'UpdateUser', userId, isActive: true, now: 'n' },
      metadata: meta(),
    });
    // "Deactivate" looks like a no-op on A's stale cache; A must check before answering nothing.
    const res = await a.execute({
      streamId: stream,
      decider: userDecider,
      command: { type: 'UpdateUser', userId, isActive: false, now: 'n' },
      metadata: meta(),
    });
    expect(res.events.map((e) => e.type)).toEqual(['user.updated.v1']);
    expect(res.state.isActive).toBe(false);
    expect(reads).toEqual([stream]);
    // A refusal on a stale cache is re-checked too: another writer brings the total back to 0,
    // A's stale view (9.00) would refuse 5.00 under a 10.00 limit; the fresh one accepts.
    const tallyId = await openTally(a);
    await add(a, tallyId, '9.00', meta(), '10.00');
    await store.appendToStream(
      `tally-${tallyId}`,
      [
        {
          id: randomUUID(),
          type: 'tally.added.v1',
          data: { tallyId, amount: '-9.00', total: '0.00' },
          metadata: { ...metaEvent() },
        },
      ],
      { expectedRevision: 1n },
    );
    const ok = await add(a, tallyId, '5.00', meta(), '10.00');
    expect(ok.state.total).toBe('5.00');
  });

  it('checks on the cached state without reading, and refuses only on the stream as read', async () => {
    const reads: string[] = [];
    const counting = readCountingStore(reads);
    const a = new CommandRunner(counting);
    const b = new CommandRunner(new PostgresEventStore(tdb.newPool(2)));
    const tallyId = await openTally(a);
    const stream = `tally-${tallyId}`;
    await add(a, tallyId, '1.00');
    const atMost = (limit: string) => (s: { exists: boolean; total: string }) => {
      if (!s.exists || Number(s.total) > Number(limit))
        throw new DomainError('OVER', `total ${s.total} is above ${limit}`, 'conflict');
      return s.total;
    };
    reads.length = 0;
    // Cached: no read.
    await expect(a.readChecked(stream, tallyDecider, atMost('5'))).resolves.toMatchObject({
      checked: '1.00',
      state: { total: '1.00' },
    });
    expect(reads).toEqual([]);
    // Another process adds 9.00: A's cache still says 1.00, where the check passes. The caller's
    // append is what catches that (its expected revision); the check itself did not read.
    await add(b, tallyId, '9.00');
    await expect(a.readChecked(stream, tallyDecider, atMost('5'))).resolves.toMatchObject({
      checked: '1.00',
    });
    expect(reads).toEqual([]);
    // A check that refuses on the cache reads the stream first: A's cache says 10.00, another
    // writer brings the store back to 1.00, where the check passes.
    await a.read(stream, tallyDecider);
    await store.appendToStream(
      stream,
      [
        {
          id: randomUUID(),
          type: 'tally.added.v1',
          data: { tallyId, amount: '-9.00', total: '1.00' },
          metadata: { ...metaEvent() },
        },
      ],
      { expectedRevision: 2n },
    );
    reads.length = 0;
    await expect(a.readChecked(stream, tallyDecider, atMost('5'))).resolves.toMatchObject({
      checked: '1.00',
      state: { total: '1.00' },
    });
    expect(reads).toEqual([stream]);
    // A refusal that holds on the stream as read is made, after that one read.
    reads.length = 0;
    await expect(a.readChecked(stream, tallyDecider, atMost('0.50'))).rejects.toMatchObject({
      code: 'OVER',
    });
    expect(reads).toEqual([stream]);
    // Nothing cached (another process's stream): read once, then checked.
    const other = await openTally(b);
    reads.length = 0;
    await expect(a.readChecked(`tally-${other}`, tallyDecider, atMost('5'))).resolves.toMatchObject(
      { checked: '0' },
    );
    expect(reads).toEqual([`tally-${other}`]);
  });

  it('answers a same-key retry from another process with the first result, not a taken claim', async () => {
    const a = new CommandRunner(store);
    const b = new CommandRunner(new PostgresEventStore(tdb.newPool(2)));
    const tallyId = await openTally(a);
    await b.read(`tally-${tallyId}`, tallyDecider); // B's cache is warm and about to go stale
    const ref = `claim-${randomUUID()}`;
    const claim = (owner: string) => [
      { streamId: ref, owner, taken: () => new DomainError('REF_TAKEN', 'taken', 'conflict') },
    ];
    const m = () => meta({ key: 'with-claim', body: { a: 1 } });
    const first = await a.execute({
      streamId: `tally-${tallyId}`,
      decider: tallyDecider,
      command: { type: 'AddToTally', tallyId, amount: '1.00', scale: 2, limit: null },
      metadata: m(),
      claims: claim('tally:1'),
    });
    const again = await b.execute({
      streamId: `tally-${tallyId}`,
      decider: tallyDecider,
      command: { type: 'AddToTally', tallyId, amount: '1.00', scale: 2, limit: null },
      metadata: m(),
      claims: claim('tally:1'),
    });
    expect(again).toMatchObject({ replayed: true, events: first.events });
    // Someone else's claim on the slot is still refused, on a fresh state.
    await expect(
      b.execute({
        streamId: `tally-${tallyId}`,
        decider: tallyDecider,
        command: { type: 'AddToTally', tallyId, amount: '2.00', scale: 2, limit: null },
        metadata: meta(),
        claims: claim('tally:2'),
      }),
    ).rejects.toMatchObject({ code: 'REF_TAKEN' });
  });
});
