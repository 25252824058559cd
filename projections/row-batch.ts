/**
 * A batch of changes to one table keyed by `id`, gathered in event order and written with few
 * statements: rows created in the batch are inserted once, already carrying every later change
 * of the batch (INSERT … ON CONFLICT DO NOTHING); rows that existed before get their changes
 * merged per row and written by one UPDATE per set of columns. Both send their values as one
 * JSON document, each value cast to its column's type (`insertRows`).
 * Additive columns (a balance) sum their increments exactly (decimal strings, never floats).
 * The result is what applying the events one by one would give.
 */
import { type Insertable, sql, type Transaction, type Updateable } from 'kysely';
import { assert, copyWith, minorUnits } from '@kob/kernel';
import type { ReadModels, TableWithId } from './read-models';
import { deferredWrite } from './deferred-write';
import { preparedMark } from './prepared-mark';

const INSERT_ROWS_MAX = 500;

/** Exact sum of two decimal strings (`"10.5" + "0.25"` → `"10.75"`). */
export function addDecimal(a: string, b: string): string {
  const scale = Math.max(decimals(a), decimals(b));
  const sum = minorUnits(a, scale) + minorUnits(b, scale);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function decimals(x: string): number {
  const dot = x.indexOf('.');
  return dot < 0 ? 0 : x.length - dot - 1;
}

/** The changes of one batch to the table `T` (see above). */
export class RowBatch<T extends TableWithId> {
  private readonly inserts = new Map<string, Insertable<ReadModels[T]>>();
  private readonly updates = new Map<string, Record<string, unknown>>();
  private readonly increments = new Map<string, Record<string, string>>();

  constructor(private readonly table: T) {}

  /** A new row (the first insert of an id wins, as ON CONFLICT DO NOTHING would). */
  insert(id: string, row: Insertable<ReadModels[T]>): void {
    if (!this.inserts.has(id)) this.inserts.set(id, { ...row });
  }

  set(id: string, change: Updateable<ReadModels[T]>): void {
    const inserted = this.inserts.get(id);
    if (inserted) Object.assign(inserted, change);
    else this.updates.set(id, copyWith(this.updates.get(id) ?? {}, change));
  }

  /** `column += amount` (a decimal string). */
  add(id: string, column: keyof ReadModels[T] & string, amount: string): void {
    const inserted = this.inserts.get(id);
    if (inserted) {
      const before: unknown = Reflect.get(inserted, column);
      Object.assign(inserted, { [column]: addDecimal(String(before ?? '0'), amount) });
      return;
    }
    const current = this.increments.get(id) ?? {};
    current[column] = addDecimal(current[column] ?? '0', amount);
    this.increments.set(id, current);
  }

  async flush(trx: Transaction<ReadModels>): Promise<void> {
    await insertRows(trx, this.table, [...this.inserts.values()]);
    // Rows that existed before the batch: grouped by the columns they change.
    const ids = new Set([...this.updates.keys(), ...this.increments.keys()]);
    const groups = new Map<string, { setCols: string[]; addCols: string[]; ids: string[] }>();
    for (const id of ids) {
      const setCols = Object.keys(this.updates.get(id) ?? {}).sort();
      const addCols = Object.keys(this.increments.get(id) ?? {}).sort();
      // An empty change changes nothing (and would be an UPDATE without SET).
      if (setCols.length + addCols.length === 0) continue;
      const key = `${setCols.join(',')}|${addCols.join(',')}`;
      const group = groups.get(key) ?? { setCols, addCols, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    for (const { setCols, addCols, ids: groupIds } of groups.values()) {
      const columns = [...setCols, ...addCols];
      // One row per id: [id, the columns set…, the increments…], each cast as inserts are.
      const values = await jsonRows(
        trx,
        this.table,
        ['id', ...columns],
        groupIds.map((id) => [
          id,
          ...setCols.map((c) => this.updates.get(id)![c] ?? null),
          ...addCols.map((c) => this.increments.get(id)![c]),
        ]),
      );
      const assignments = [
        ...setCols.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`),
        ...addCols.map((c) => sql`${sql.ref(c)} = t.${sql.ref(c)} + v.${sql.ref(c)}`),
      ];
      // The LIMIT (exactly the rows sent) is for the planner: it takes any set-returning
      // function for 100 rows, and joined with 100 rows a table of a few thousand was read whole
      // (a hash join over a sequential scan, every round, growing with the table). Bounded, the
      // rows are estimated at 10 at most and each is found by the primary key.
      await deferredWrite(
        trx,
        sql`${preparedMark}
          UPDATE ${sql.table(this.table)} AS t SET ${sql.join(assignments)}
          FROM (${values} LIMIT ${groupIds.length}) AS v
          WHERE t.id = v.id`,
      );
    }
  }
}

/**
 * Inserts `rows` (ON CONFLICT (id) DO NOTHING) as one JSON document per statement: an array of
 * rows, each an array of its values, every value cast from its text to its column's type as
 * PostgreSQL would cast a parameter (`(r ->> 2)::numeric`), jsonb columns included (their value
 * is JSON text, or a value whose JSON that text is). One parameter instead of one per value: no
 * query tree of thousands of values for Kysely to build and compile, and pg encodes one string.
 * Rows are grouped by the columns they set, so a column a row leaves out takes its default.
 */
async function insertRows(
  trx: Transaction<ReadModels>,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  for (const row of rows) {
    // Sorted: one text (one prepared statement) per set of columns, whatever order set them.
    const columns = Object.keys(row)
      .filter((c) => row[c] !== undefined)
      .sort();
    const key = columns.join(',');
    const group = groups.get(key) ?? { columns, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  for (const { columns, rows: grouped } of groups.values()) {
    for (let i = 0; i < grouped.length; i += INSERT_ROWS_MAX) {
      const chunk = grouped.slice(i, i + INSERT_ROWS_MAX).map((row) => columns.map((c) => row[c]));
      await deferredWrite(
        trx,
        sql`${preparedMark}
          INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
          ${await jsonRows(trx, table, columns, chunk)}
          ON CONFLICT (id) DO NOTHING`,
      );
    }
  }
}

/**
 * `SELECT (r ->> 0)::type0 AS column0, …` over `rows` (each the values of `columns`, in order)
 * sent as one JSON document: what the inserts and updates above read their values from.
 */
async function jsonRows(
  trx: Transaction<ReadModels>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
) {
  const types = await columnTypes(trx, table, columns);
  const casts = columns.map(
    (c, k) => sql`(r ->> ${sql.lit(k)})::${sql.raw(types.get(c)!)} AS ${sql.ref(c)}`,
  );
  const document = JSON.stringify(rows.map((row) => row.map(textOf)));
  return sql`SELECT ${sql.join(casts)} FROM jsonb_array_elements(${document}::jsonb) AS r`;
}

/**
 * A value as JSON whose `->>` text is what pg would send for it: a string's content, a number's or
 * boolean's digits or word, an object's JSON (a jsonb column); a Date as ISO-8601, a bigint as
 * its digits. No read-model column is an array or bytea (pg sends those in formats JSON has not).
 */
function textOf(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  // JSON has no NaN or infinities (JSON.stringify writes null): their names, as pg sends them.
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  assert(!Array.isArray(v) && !Buffer.isBuffer(v), 'a row batch writes no array or bytea value');
  return v;
}

/** Each read-model table's columns and their SQL types, read from the catalog once per process. */
const TABLE_COLUMNS = new Map<string, ReadonlyMap<string, string>>();

/**
 * The SQL types of `columns` of `table` (as `search_path` finds it: a rebuild's scratch copy has
 * the same), without their modifiers: an explicit cast to `varchar(n)` would cut a longer value
 * where the insert must refuse it, as it refuses a parameter. Read again when a column is not
 * known, as after a migration added it (a column whose type a migration changes while the
 * process runs keeps its old cast until the process restarts).
 */
async function columnTypes(
  trx: Transaction<ReadModels>,
  table: string,
  columns: readonly string[],
): Promise<ReadonlyMap<string, string>> {
  const known = TABLE_COLUMNS.get(table);
  if (known && columns.every((c) => known.has(c))) return known;
  const found = await sql<{ name: string; type: string }>`
    SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
    WHERE attrelid = ${table}::regclass AND attnum > 0 AND NOT attisdropped`.execute(trx);
  const types = new Map(found.rows.map((r) => [r.name, r.type]));
  for (const c of columns) assert(types.has(c), `${table} has no column ${c}`);
  TABLE_COLUMNS.set(table, types);
  return types;
}
