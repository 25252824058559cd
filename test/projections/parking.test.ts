/**
 * Parking through the whole service (issue 12): an event a read model cannot apply no longer
 * stops it. With the real app and its projectors on a real PostgreSQL, an event the users
 * projector cannot store is parked: every projector, that one included, goes on; /health shows
 * it (degraded); one PROJECTION_EVENT_PARKED alert names it; commands answer without
 * `X-Projection-Pending`; the CLI lists it and reports a replay that still fails.
 */
import { randomUUID } from 'node:crypto';
import { systemActor } from '@kob/kernel';
import { testMetadata } from '@kob/event-store/testing';
import { committedHead } from '../support/caught-up';
import { until } from '../http/http-expect';
import { distFile, runChild } from '../support/child';
import { startEscrowApi, type EscrowApi } from '../support/escrow-api';
import { usersProjection } from '@kob/projections';
import { storeEnv } from '../support/stored-events';

let api: EscrowApi;
let poisonId: string;
const poisonStream = `user-${randomUUID()}`;

beforeAll(async () => {
  api = await startEscrowApi();
  // No command can write this (user ids are UUIDs): an event the users read model cannot store,
  // standing for any value a projector's code did not foresee.
  poisonId = randomUUID();
  await api.t.platform.store.appendToStream(
    poisonStream,
    [
      {
        id: poisonId,
        type: 'user.registered.v1',
        data: {
          userId: 'not-a-uuid',
          username: 'poison',
          email: 'poison@example.org',
          isActive: true,
          publicTag: null,
          registeredAt: new Date().toISOString(),
        },
        metadata: testMetadata({ actor: systemActor('system:test') }),
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  // The read models caught up with it: every one but users applied it, users parked it (so a
  // wait for it as a whole says "not in every read model").
  const head = await committedHead(api.t.platform);
  const others = api.t.platform.projections.projectors
    .map((p) => p.name)
    .filter((n) => n !== 'users');
  expect(await api.t.platform.projections.waitFor(head!, 10_000, { projectors: others })).toBe(
    true,
  );
  await until(
    'the users projector to park it',
    async () => (await api.call('GET', '/health', null)).json().parked_events.total === 1,
  );
  expect(await api.t.platform.projections.waitFor(head!, 1_000)).toBe(false);
});
afterAll(() => api.close());

it('parks the event, keeps every projector running and shows it in /health', async () => {
  const health = (await api.call('GET', '/health', null)).json();
  expect(health.status).toBe('degraded');
  expect(health.halted_projectors).toEqual([]);
  expect(health.parked_events).toEqual({ total: 1, by_projector: { users: 1 } });
  expect(health.projections.find((p: { name: string }) => p.name === 'users')).toMatchObject({
    status: 'running',
    parked_events: 1,
  });
});

it('raises one PROJECTION_EVENT_PARKED alert naming the projector and the event', async () => {
  const res = await api.call('GET', '/alerts?type=PROJECTION_EVENT_PARKED', api.keys.support);
  expect(res.statusCode).toBe(200);
  const items = res
    .json()
    .items.filter((a: { payload: { event_id?: string } }) => a.payload.event_id === poisonId);
  expect(items).toHaveLength(1);
  expect(items[0].payload).toMatchObject({
    projector: 'users',
    stream_id: poisonStream,
    event_type: 'user.registered.v1',
  });
});

it('lets the other read models apply the event, and commands answer without X-Projection-Pending', async () => {
  const audit = await api.call('GET', `/audit/events?stream=${poisonStream}`, api.keys.auditor);
  expect(audit.json().items.map((e: { type: string }) => e.type)).toEqual(['user.registered.v1']);
  const created = await api.call('POST', '/users', api.keys.admin, {
    username: `after-${randomUUID().slice(0, 8)}`,
    email: `a-${randomUUID().slice(0, 8)}@example.org`,
  });
  expect(created.statusCode).toBe(201);
  expect(created.headers['x-projection-pending']).toBeUndefined();
  expect((await api.call('GET', `/users/${created.json().id}`, api.keys.support)).statusCode).toBe(
    200,
  );
});

it('is listed by the CLI, and a replay that still fails keeps it parked (exit 1)', async () => {
  const env = { DATABASE_URL: api.t.tdb.url, ...storeEnv(api.t.platform), APP_ENV: 'test' };
  const listed = await runChild(distFile('apps/cli/src/main.js'), env, 60_000, ['parked']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain(`users event=${poisonId} stream=${poisonStream}`);
  expect(listed.stdout).toContain('1 parked event(s)');
  const replay = await runChild(distFile('apps/cli/src/main.js'), env, 60_000, [
    'parked',
    'replay',
    'users',
  ]);
  expect(replay.code).toBe(1);
  expect(replay.stdout).toContain(`STILL FAILING users event=${poisonId}`);
  const status = await runChild(distFile('apps/cli/src/main.js'), env, 60_000, ['status']);
  expect(status.stdout).toMatch(/users v\d+ running .* parked=1/);
});

it('does not answer a deactivation as in force when the users read model parked it (503 CHANGE_PENDING; review finding)', async () => {
  const tag = randomUUID().slice(0, 8);
  const user = (
    await api.call('POST', '/users', api.keys.admin, {
      username: `v-${tag}`,
      email: `v-${tag}@example.org`,
    })
  ).json();
  const original = usersProjection.apply;
  // The users projector's code, as if it could not apply this user's change.
  (usersProjection as { apply: typeof original }).apply = async (trx, events) => {
    if (
      events.some(
        (e) => e.type === 'user.updated.v1' && (e.data as { userId?: string }).userId === user.id,
      )
    )
      throw new Error('cannot apply');
    return original.call(usersProjection, trx, events);
  };
  let patched;
  try {
    patched = await api.call('PATCH', `/users/${user.id}`, api.keys.admin, { is_active: false });
  } finally {
    (usersProjection as { apply: typeof original }).apply = original;
  }
  expect([patched.statusCode, patched.json().error?.code]).toEqual([503, 'CHANGE_PENDING']);
  const health = (await api.call('GET', '/health', null)).json();
  expect(health.parked_events.by_projector.users).toBeGreaterThanOrEqual(1);
});
