/**
 * Row batches write their new and changed rows as one JSON document per statement, each value
 * cast from its text to its column's type (row-batch.ts). Property: whatever storable values a row holds (any
 * text, any JSON in a jsonb column given as a value or as its JSON text, doubles (NaN and the
 * infinities too), nulls, dates as Date or ISO text, columns left out), the row stored is the row Kysely's own multi-row
 * INSERT stores from the same values, and a row changed by the batch is the row Kysely's UPDATE
 * leaves; a column left out takes its default; a row whose id is already there is left as it
 * was by an insert.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type { ReadModels } from '@kob/projections';
import { RowBatch } from '../../projections/row-batch';
import { jsonValue, propertyParams, text } from '../support/hostile-values';
import { type TestDatabase, testDatabase } from '../support/test-db';

let tdb: TestDatabase;
let db: Kysely<ReadModels>;
beforeAll(async () => {
  tdb = await testDatabase();
  db = tdb.db as Kysely<ReadModels>;
});
afterAll(() => tdb.close());

const decimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 0, max: 6 }))
  .map(([units, scale]) => {
    const digits = units.toString().padStart(scale + 1, '0');
    return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  });
const instant = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2199-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const double = fc.option(fc.double(), { nil: null });
/**
 * A jsonb column's value: the value itself, or its JSON text (what `Json<T>` columns take); a
 * string is always JSON text there (pg sends it as is, and PostgreSQL parses it), and JSON's
 * null is its text (a null value is SQL's NULL, which the column refuses).
 */
const jsonColumn = jsonValue({ stringLengthMax: 2_000, arrayLengthMax: 50 })
  .filter((v) => !Array.isArray(v))
  .chain((v) =>
    typeof v === 'string' || v === null
      ? fc.constant(JSON.stringify(v))
      : fc.constantFrom<unknown>(v, JSON.stringify(v)),
  );

/** A milestone row without its ids, any of its nullable columns possibly left out. */
const milestone = fc.record(
  {
    label: text({ lengthMax: 300 }),
    amount: decimal,
    currency: text({ lengthMax: 8 }),
    sequence_index: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    status: text({ lengthMax: 20 }),
    proof_kind: fc.option(text({ lengthMax: 20 }), { nil: null }),
    proof_requirements: jsonColumn,
    geofence_lat: double,
    geofence_lng: double,
    geofence_radius_m: double,
    created_at: fc.oneof(
      instant,
      instant.map((d) => d.toISOString()),
    ),
  },
  {
    requiredKeys: [
      'label',
      'amount',
      'currency',
      'sequence_index',
      'status',
      'proof_requirements',
      'created_at',
    ],
  },
);

async function stored(ids: readonly string[]) {
  const rows = await db.selectFrom('milestones').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const { id: _id, escrow_id: _escrow, ...rest } = byId.get(id)!;
    return rest;
  });
}

/** An escrow row as the escrows projector inserts one (no `deposited`: its default). */
function escrowRow(id: string) {
  return {
    id,
    client_id: randomUUID(),
    provider_id: randomUUID(),
    amount_total: '100.00',
    currency: 'USD',
    scale: 2,
    status: 'DRAFT',
    domain: 'private',
    release_conditions: '{}',
    deadline_at: '2099-12-31T00:00:00Z',
    created_at: '2026-12-07T00:00:00Z',
    updated_at: '2026-12-07T00:00:00Z',
  };
}

const escrowOf = (id: string) =>
  db.selectFrom('escrows').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

it('stores what a Kysely INSERT of the same values stores, defaults and nulls included', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(milestone, { minLength: 1, maxLength: 6 }), async (rows) => {
      const ours = rows.map(() => randomUUID());
      const theirs = rows.map(() => randomUUID());
      const batch = new RowBatch('milestones');
      rows.forEach((row, i) =>
        batch.insert(ours[i]!, { ...row, id: ours[i]!, escrow_id: randomUUID() } as never),
      );
      await db.transaction().execute((trx) => batch.flush(trx));
      for (const [i, row] of rows.entries())
        await db
          .insertInto('milestones')
          .values({ ...row, id: theirs[i]!, escrow_id: randomUUID() } as never)
          .execute();
      expect(await stored(ours)).toEqual(await stored(theirs));
    }),
    propertyParams(60),
  );
});

it('updates a row already there as a Kysely UPDATE of the same values does', async () => {
  const change = fc.record(
    {
      label: text({ lengthMax: 300 }),
      status: text({ lengthMax: 20 }),
      proof_kind: fc.option(text({ lengthMax: 20 }), { nil: null }),
      proof_requirements: jsonColumn,
      geofence_lat: double,
      created_at: fc.oneof(
        instant,
        instant.map((d) => d.toISOString()),
      ),
    },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(
      milestone,
      fc.array(change, { minLength: 1, maxLength: 3 }),
      async (row, changes) => {
        const [ours, theirs] = [randomUUID(), randomUUID()];
        for (const id of [ours, theirs])
          await db
            .insertInto('milestones')
            .values({ ...row, id, escrow_id: randomUUID() } as never)
            .execute();
        const batch = new RowBatch('milestones');
        for (const c of changes) batch.set(ours, c as never);
        await db.transaction().execute((trx) => batch.flush(trx));
        for (const c of changes)
          if (Object.keys(c).length > 0)
            await db
              .updateTable('milestones')
              .set(c as never)
              .where('id', '=', theirs)
              .execute();
        expect(await stored([ours])).toEqual(await stored([theirs]));
      },
    ),
    propertyParams(40),
  );
});

it('adds to an additive column exactly, sets beside it, and takes an empty change as none', async () => {
  const id = randomUUID();
  await db
    .insertInto('escrows')
    .values({ ...escrowRow(id), deposited: '10.10' })
    .execute();
  const batch = new RowBatch('escrows');
  batch.set(id, {});
  batch.set(randomUUID(), {});
  batch.add(id, 'deposited', '0.25');
  batch.add(id, 'deposited', '40.005');
  batch.set(id, { status: 'FUNDED', updated_at: new Date('2026-12-07T01:00:00.123Z') });
  await db.transaction().execute((trx) => batch.flush(trx));
  const got = await escrowOf(id);
  expect(got).toMatchObject({
    deposited: '50.355',
    status: 'FUNDED',
    updated_at: new Date('2026-12-07T01:00:00.123Z'),
  });
});

it('gives a column a row leaves out its default, and leaves a row already there as it was', async () => {
  const id = randomUUID();
  const row = {
    ...escrowRow(id),
    release_conditions: '{"a": [1, "x\\"y"]}',
    created_at: new Date('2026-12-07T01:02:03.456Z'),
    updated_at: '2026-12-07T01:02:03.456Z',
  };
  const first = new RowBatch('escrows');
  first.insert(id, row);
  await db.transaction().execute((trx) => first.flush(trx));
  const again = new RowBatch('escrows');
  again.insert(id, { ...row, status: 'FUNDED', deposited: '100.00' });
  await db.transaction().execute((trx) => again.flush(trx));
  const got = await escrowOf(id);
  expect(got).toMatchObject({
    status: 'DRAFT',
    deposited: '0',
    release_conditions: { a: [1, 'x"y'] },
    created_at: new Date('2026-12-07T01:02:03.456Z'),
    updated_at: new Date('2026-12-07T01:02:03.456Z'),
  });
});
