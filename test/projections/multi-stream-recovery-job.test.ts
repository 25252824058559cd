/**
 * The `multi-stream-recovery` scheduler job of an API whose events are in EventStoreDB (the
 * double, through the real client): registered there (and not on PostgreSQL, where appends are
 * one transaction), it releases a claim whose aggregate never followed and keeps where it got to
 * in PostgreSQL (`job_checkpoints`), so its next run starts from there.
 */
import { randomUUID } from 'node:crypto';
import {
  claimReservation,
  readReservation,
  systemAppendMetadata,
  type StreamAppend,
} from '@kob/event-store';
import { multiStreamRecoveryJob } from '@kob/platform';
import {
  type EventStoreDbDouble,
  startEventStoreDbDouble,
} from '@test/eventstoredb-double/eventstoredb-double';
import { startTestApp, type TestApp } from '../support/test-app';

let double: EventStoreDbDouble;
let t: TestApp;

beforeAll(async () => {
  double = await startEventStoreDbDouble();
  t = await startTestApp({
    env: {
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: double.connectionString,
      SCHEDULER_ENABLED: 'false',
    },
  });
});
afterAll(async () => {
  await t.close();
  await double.close();
});

const checkpoint = () =>
  t.platform.db
    .selectFrom('job_checkpoints')
    .select(['position_tx', 'position_pos'])
    .where('name', '=', 'multi-stream-recovery')
    .executeTakeFirst();

it('is registered with the events in EventStoreDB, releases an orphaned claim and keeps its checkpoint', async () => {
  const jobs = t.platform.scheduler.status().jobs.map((j) => j.name);
  expect(jobs).toContain('multi-stream-recovery');
  expect(jobs).not.toContain('event-horizon');
  const store = t.platform.store;
  const reservation = `res-${randomUUID()}`;
  const claim = claimReservation(
    await readReservation(store, reservation),
    'owner-lost',
    {},
    systemAppendMetadata('system:test'),
    randomUUID(),
  );
  const aggregate: StreamAppend = {
    streamId: `tally-${randomUUID()}`,
    expectedRevision: 'no_stream',
    events: [
      {
        id: randomUUID(),
        type: 'tally.opened.v1',
        data: { tallyId: 'x', currency: 'USD' },
        metadata: systemAppendMetadata('system:test'),
      },
    ],
  };
  // The node stops answering the aggregate's append: its outcome is unknown, the claim stays.
  for (let i = 0; i < 3; i++) {
    double.fail({
      method: 'append',
      kind: 'no-answer',
      when: 'before',
      streamId: aggregate.streamId,
    });
  }
  await expect(store.appendMulti([claim, aggregate])).rejects.toMatchObject({
    appendOutcome: 'unknown',
  });
  expect(await readReservation(store, reservation)).toMatchObject({ status: 'claimed' });
  expect(await checkpoint()).toBeUndefined();

  const job = multiStreamRecoveryJob(t.platform);
  const later = new Date(Date.now() + 120_000);
  expect(await job.run({ now: later })).toMatch(/released 1 orphaned claims/);
  expect(await readReservation(store, reservation)).toMatchObject({ status: 'free' });
  const saved = await checkpoint();
  expect(saved).toBeDefined();
  // The next run starts after the last event it judged (the claim; its release came after).
  expect(await job.run({ now: later })).toMatch(/^scanned 1 events: released 0/);
  const again = await checkpoint();
  expect(BigInt(again!.position_tx)).toBeGreaterThan(BigInt(saved!.position_tx));
});

it('is not registered with the events in PostgreSQL', async () => {
  const pg = await startTestApp({ env: { EVENT_STORE: 'postgres', SCHEDULER_ENABLED: 'false' } });
  try {
    const jobs = pg.platform.scheduler.status().jobs.map((j) => j.name);
    expect(jobs).not.toContain('multi-stream-recovery');
    expect(jobs).toContain('event-horizon');
  } finally {
    await pg.close();
  }
});
