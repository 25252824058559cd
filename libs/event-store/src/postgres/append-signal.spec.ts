/**
 * Cross-process wake-ups (append-signal.ts) on a real PostgreSQL: two stores on their own pools
 * stand for two processes. A store's `onAppended` fires only for its own appends and for these
 * signals (it does not poll), so a listener that fires after another store's append was woken by
 * the NOTIFY. Also: a burst costs few NOTIFYs, a store that does not signal sends none, and a
 * listener whose connection is killed connects again and still hears the next append.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { ev, stream } from '../contract/contract-kit';
import { APPENDED_CHANNEL } from './append-signal';
import { PostgresEventStore } from './postgres-event-store';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await testDatabase();
});
afterAll(() => tdb.close());

/** Resolves with the signal count once `count()` reaches `n`, or fails after `ms`. */
async function reaches(count: () => number, n: number, ms = 5_000): Promise<number> {
  const deadline = Date.now() + ms;
  while (count() < n) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${n} signals, got ${count()}`);
    await sleep(5);
  }
  return count();
}

const connection = () => ({ connectionString: tdb.url });

/**
 * A writer and a follower store (two processes), the follower listening and its first signal
 * (the one it gives when it starts listening) already heard; `woken()` counts its signals.
 */
async function writerAndFollower(signal: boolean, writerPoolMax = 2) {
  const writer = new PostgresEventStore(
    tdb.newPool(writerPoolMax),
    signal ? { signalOtherProcesses: true } : {},
  );
  const follower = new PostgresEventStore(tdb.newPool(2));
  let woken = 0;
  follower.onAppended(() => woken++);
  await follower.listenToOtherProcesses(connection());
  await reaches(() => woken, 1);
  return {
    writer,
    follower,
    woken: () => woken,
    close: async () => {
      await writer.close();
      await follower.close();
    },
  };
}

describe('append signal (LISTEN/NOTIFY)', () => {
  it("wakes another process's subscribers after an append, and only then", async () => {
    const { writer, woken, close } = await writerAndFollower(true);
    try {
      await sleep(50);
      expect(woken()).toBe(1);
      await writer.appendToStream(stream('signal'), [ev('a')], { expectedRevision: 'no_stream' });
      await reaches(woken, 2);
      expect(writer.publisher?.sent).toBe(1);
    } finally {
      await close();
    }
  });

  it('sends one NOTIFY for a burst of appends, not one each', async () => {
    const { writer, woken, close } = await writerAndFollower(true, 8);
    try {
      const appends = Array.from({ length: 40 }, () =>
        writer.appendToStream(stream('burst'), [ev('a')], { expectedRevision: 'no_stream' }),
      );
      await Promise.all(appends);
      await reaches(woken, 2);
      await sleep(100);
      // The first append's NOTIFY, then at most one more per spacing while appends went on.
      expect(writer.publisher!.sent).toBeGreaterThanOrEqual(1);
      expect(writer.publisher!.sent).toBeLessThan(40);
      expect(woken() - 1).toBeLessThanOrEqual(writer.publisher!.sent);
    } finally {
      await close();
    }
  });

  it('sends nothing from a store that does not signal', async () => {
    const { writer, woken, close } = await writerAndFollower(false);
    try {
      await writer.appendToStream(stream('quiet'), [ev('a')], { expectedRevision: 'no_stream' });
      await sleep(200);
      expect(writer.publisher).toBeNull();
      expect(woken()).toBe(1);
    } finally {
      await close();
    }
  });

  it('listens again after its connection is killed, and hears the next append', async () => {
    const { writer, woken, close } = await writerAndFollower(true);
    try {
      const killed = await tdb.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query = $1`,
        [`LISTEN ${APPENDED_CHANNEL}`],
      );
      expect(killed.rowCount).toBe(1);
      // Reconnected (about a second later): it signals once for what it may have missed.
      await reaches(woken, 2);
      await writer.appendToStream(stream('again'), [ev('a')], { expectedRevision: 'no_stream' });
      await reaches(woken, 3);
    } finally {
      await close();
    }
  });

  it('stops listening on close', async () => {
    const { close } = await writerAndFollower(true);
    await close();
    const listening = await tdb.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND query = $1 AND state = 'idle'`,
      [`LISTEN ${APPENDED_CHANNEL}`],
    );
    expect(listening.rows[0].n).toBe(0);
  });
});
