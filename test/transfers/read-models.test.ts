/**
 * The spend and transfers projections on a real PostgreSQL: each event gives its row, a batch
 * applied twice changes nothing (idempotent writes), a removal deletes the allowlist entry and a
 * later certification replaces the level.
 */
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@kob/event-store';
import { spendProjection } from '@kob/projections';
import { transfersProjection } from '@kob/projections';
import { testDatabase, type TestDatabase } from '../support/test-db';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await testDatabase();
});
afterAll(() => tdb.close());

const NOW = '2026-11-27T10:00:00.000Z';
let pos = 0;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent =>
  ({
    id: randomUUID(),
    streamId: 's',
    revision: 0n,
    type,
    data,
    metadata: {} as RecordedEvent['metadata'],
    position: { tx: 1n, pos: BigInt(pos++) },
    recordedAt: new Date(NOW),
  }) as RecordedEvent;

const count = async (table: string) =>
  Number(
    (
      await tdb.db
        .selectFrom(table)
        .select(tdb.db.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

it('projects the catalogue idempotently', async () => {
  const [c, m, u] = [randomUUID(), randomUUID(), randomUUID()];
  const events = [
    recorded('spend.category_created.v1', {
      categoryId: c,
      code: 'FOOD',
      label: 'Food',
      createdAt: NOW,
    }),
    recorded('spend.merchant_created.v1', {
      merchantId: m,
      name: 'Shop',
      categoryId: c,
      isCertified: true,
      createdAt: NOW,
    }),
    recorded('spend.usage_allowed.v1', {
      ownerId: u,
      merchantId: m,
      categoryId: null,
      allowedAt: NOW,
    }),
    recorded('spend.usage_allowed.v1', {
      ownerId: u,
      merchantId: null,
      categoryId: c,
      allowedAt: NOW,
    }),
  ];
  for (let i = 0; i < 2; i++)
    await tdb.db.transaction().execute((trx) => spendProjection.apply(trx, events));
  expect(await count('spend_categories')).toBe(1);
  expect(await count('merchants')).toBe(1);
  expect(
    await tdb.db
      .selectFrom('usage_allows')
      .select(['target_kind', 'target_id'])
      .orderBy('target_kind')
      .execute(),
  ).toEqual([
    { target_kind: 'category', target_id: c },
    { target_kind: 'merchant', target_id: m },
  ]);
  expect(await tdb.db.selectFrom('merchants').selectAll().executeTakeFirst()).toMatchObject({
    id: m,
    category_id: c,
    is_certified: true,
  });
});

it('projects allowlists, certifications and transactions idempotently', async () => {
  const [a, b, t] = [randomUUID(), randomUUID(), randomUUID()];
  const added = recorded('allowlist.recipient_added.v1', {
    ownerId: a,
    recipientId: b,
    addedAt: NOW,
  });
  const basic = recorded('certification.updated.v1', {
    userId: b,
    level: 'BASIC',
    certifiedAt: NOW,
  });
  const tx = recorded('transaction.completed.v1', {
    transactionId: t,
    senderId: a,
    receiverId: b,
    amount: '1.50',
    currency: 'USD',
    scale: 2,
    authorizedBy: 'allowlist',
    completedAt: NOW,
  });
  for (let i = 0; i < 2; i++)
    await tdb.db.transaction().execute((trx) => transfersProjection.apply(trx, [added, basic, tx]));
  expect(await count('allowlist_entries')).toBe(1);
  expect(await count('transactions')).toBe(1);
  expect(
    await tdb.db.selectFrom('transactions').select(['amount', 'status']).executeTakeFirst(),
  ).toEqual({ amount: '1.50', status: 'COMPLETED' });
  const later = '2026-11-28T10:00:00.000Z';
  const gold = recorded('certification.updated.v1', {
    userId: b,
    level: 'GOLD',
    certifiedAt: later,
  });
  const removed = recorded('allowlist.recipient_removed.v1', {
    ownerId: a,
    recipientId: b,
    removedAt: later,
  });
  for (let i = 0; i < 2; i++)
    await tdb.db.transaction().execute((trx) => transfersProjection.apply(trx, [gold, removed]));
  expect(await count('allowlist_entries')).toBe(0);
  expect(await tdb.db.selectFrom('certifications').select(['level']).execute()).toEqual([
    { level: 'GOLD' },
  ]);
});
