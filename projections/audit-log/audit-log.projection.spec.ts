/**
 * The audit_log projection on a real PostgreSQL, through the real runner: one row per event with
 * its `$all` position, stream, revision, type, actor and label, occurredAt and correlation id;
 * data masked before it is stored (the raw values are nowhere in the table); a replayed batch
 * changes nothing; and a rebuild from `$all` gives the same rows.
 */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore, type RecordedEvent } from '@kob/event-store';
import { testMetadata } from '@kob/event-store/testing';
import { type Actor, systemActor } from '@kob/kernel';
import { ProjectionRunner } from '@kob/platform';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { UNKNOWN_ACTOR_LABEL, auditLogProjection, auditRow } from './audit-log.projection';

let tdb: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  tdb = await testDatabase();
  store = new PostgresEventStore(tdb.pool);
});
afterAll(() => tdb.close());

const keyActor: Actor = {
  kind: 'api_key',
  keyId: randomUUID(),
  keyPrefix: 'koba_c0ffee',
  scope: 'support',
  userId: null,
};
const legacyActor: Actor = { kind: 'legacy', keyPrefix: 'legacy', scope: 'admin' };

interface AuditRowView {
  event_id: string;
  position_tx: string;
  position_pos: string;
  stream_id: string;
  revision: string;
  type: string;
  actor: unknown;
  actor_label: string;
  occurred_at: Date;
  recorded_at: Date;
  correlation_id: string | null;
  data: unknown;
}

async function auditRows(): Promise<AuditRowView[]> {
  const res = await tdb.pool.query<AuditRowView>(
    `SELECT event_id, position_tx::text AS position_tx, position_pos::text AS position_pos,
            stream_id, revision::text AS revision, type, actor, actor_label, occurred_at,
            recorded_at, correlation_id, data
     FROM audit_log ORDER BY position_tx, position_pos`,
  );
  return res.rows;
}

async function allEvents(): Promise<RecordedEvent[]> {
  return store.readAll({ maxCount: 1000 });
}

const userStream = `user-${randomUUID()}`;
const payeeStream = `escrow-${randomUUID()}`;
const occurredAt = '2026-11-24T10:00:00.000Z';

async function seed(): Promise<void> {
  await store.appendToStream(
    userStream,
    [
      {
        id: randomUUID(),
        type: 'user.registered.v1',
        data: { userId: 'u-1', username: 'alice', email: 'alice@example.com' },
        metadata: testMetadata({ actor: keyActor, occurredAt, correlationId: 'req-1' }),
      },
      {
        id: randomUUID(),
        type: 'apikey.issued.v1',
        data: { keyId: 'k-1', prefix: 'koba_abcdef', keyHash: 'f'.repeat(64) },
        metadata: testMetadata({ actor: systemActor('system:bootstrap') }),
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  await store.appendToStream(
    payeeStream,
    [
      {
        id: randomUUID(),
        type: 'payee.allowed.v1',
        data: {
          payees: [{ iban: 'FR76 3000 6000 0112 3456 7890 189', supplier_name: 'ACME Ltd' }],
          proof: {
            proofUrl: 'https://files.example/proofs/p1.jpg?sig=secret',
            psp_ref: 'SIM-987654',
          },
        },
        metadata: testMetadata({ actor: legacyActor }),
      },
    ],
    { expectedRevision: 'no_stream' },
  );
}

describe('audit_log projection', () => {
  let runner: ProjectionRunner;
  let projected: AuditRowView[];

  beforeAll(async () => {
    await seed();
    runner = new ProjectionRunner(store, tdb.db, [auditLogProjection], { batchSize: 2 });
    await runner.init();
    await runner.catchUp();
    projected = await auditRows();
  });

  it('writes one row per event in $all order, with its position, stream and revision', async () => {
    const events = await allEvents();
    expect(events).toHaveLength(3);
    expect(
      projected.map((r) => [
        r.event_id,
        r.position_tx,
        r.position_pos,
        r.stream_id,
        r.revision,
        r.type,
      ]),
    ).toEqual(
      events.map((e) => [
        e.id,
        e.position.tx.toString(),
        e.position.pos.toString(),
        e.streamId,
        e.revision.toString(),
        e.type,
      ]),
    );
    expect(projected.map((r) => r.recorded_at.toISOString())).toEqual(
      events.map((e) => e.recordedAt.toISOString()),
    );
  });

  it('keeps the actor, a label to filter by, occurredAt and the correlation id', () => {
    const [registered, issued, allowed] = projected;
    expect(registered).toMatchObject({
      actor: keyActor,
      actor_label: 'koba_c0ffee',
      correlation_id: 'req-1',
    });
    expect(registered!.occurred_at.toISOString()).toBe(occurredAt);
    expect(issued).toMatchObject({ actor: { kind: 'system', name: 'system:bootstrap' } });
    expect(issued!.actor_label).toBe('system:bootstrap');
    expect(allowed).toMatchObject({ actor: legacyActor, actor_label: 'legacy' });
  });

  it('stores the data masked, and the raw values nowhere in the table', async () => {
    const [registered, issued, allowed] = projected;
    expect(registered!.data).toEqual({
      userId: 'u-1',
      username: 'alice',
      email: '***@example.com',
    });
    expect(issued!.data).toEqual({ keyId: 'k-1', prefix: 'koba_abcdef', keyHash: '***' });
    expect(allowed!.data).toEqual({
      payees: [{ iban: '***0189', supplier_name: '***masked***' }],
      proof: { proofUrl: 'https://files.example/proofs/***', psp_ref: '***7654' },
    });
    // Random ids (event, stream, key) are hex: one may contain '3456' or 'ffffffff' by chance.
    const dump = JSON.stringify(
      await tdb.pool.query('SELECT * FROM audit_log').then((r) => r.rows),
    ).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
    for (const secret of ['alice@', 'ffffffff', '3456', 'ACME', 'p1.jpg', 'sig=secret', '987654']) {
      expect(dump).not.toContain(secret);
    }
  });

  it('changes nothing when a batch is applied again', async () => {
    const events = await allEvents();
    await tdb.db.transaction().execute((trx) => auditLogProjection.apply(trx, events));
    expect(await auditRows()).toEqual(projected);
  });

  it('rebuilds from $all into the same rows, and keeps following new events', async () => {
    const rebuilt = await runner.rebuild(auditLogProjection);
    expect(rebuilt).toBe(3);
    expect(await auditRows()).toEqual(projected);
    await store.appendToStream(
      userStream,
      [
        {
          id: randomUUID(),
          type: 'user.updated.v1',
          data: { email: 'new@mail.example' },
          metadata: testMetadata(),
        },
      ],
      { expectedRevision: 1n },
    );
    await runner.catchUp();
    const after = await auditRows();
    expect(after.slice(0, 3)).toEqual(projected);
    expect(after[3]).toMatchObject({
      stream_id: userStream,
      revision: '2',
      type: 'user.updated.v1',
      actor_label: 'system:test',
      data: { email: '***@mail.example' },
    });
  });

  it('labels an edited row without a valid actor or time instead of halting on it', () => {
    const recordedAt = new Date('2026-11-24T12:00:00.000Z');
    const row = auditRow({
      id: randomUUID(),
      streamId: 'edited-1',
      revision: 0n,
      type: 'x.v1',
      data: {},
      metadata: {
        ...testMetadata(),
        actor: { kind: 'nobody' } as unknown as Actor,
        occurredAt: 'x',
      },
      position: { tx: 1n, pos: 1n },
      recordedAt,
    } as RecordedEvent);
    expect(row.actor_label).toBe(UNKNOWN_ACTOR_LABEL);
    expect(row.occurred_at).toEqual(recordedAt);
  });
});
