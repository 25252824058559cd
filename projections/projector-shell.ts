/**
 * The shell every projector shares: its name, version and tables (what the runner needs), which
 * recorded events it reads, and how it applies them, one event at a time in `$all` order
 * (`eventProjector`) or gathered into row batches written in a few statements (`batchProjector`).
 * Every write is idempotent (STYLE.md §7): a replayed event changes nothing.
 */
import type { Insertable, Transaction, Updateable } from 'kysely';
import type { RecordedEvent } from '@kob/event-store';
import type { ReadModelTable, ReadModels, TableWithId } from './read-models';
import { RowBatch } from './row-batch';
import { deferredWrite } from './deferred-write';

interface ProjectorHead {
  name: string;
  version: number;
  tables: readonly string[];
  /** The events it reads (by stream or type); every event when absent. */
  reads?: (recorded: RecordedEvent) => boolean;
}

/** What the runner runs (structurally `Projector` of libs/platform). */
export interface ReadModelProjector {
  readonly name: string;
  readonly version: number;
  readonly tables: readonly string[];
  apply(trx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void>;
}

/** The events of streams whose id starts with `prefix` (`escrow-`). */
export function fromStreams(prefix: string): (recorded: RecordedEvent) => boolean {
  return (recorded) => recorded.streamId.startsWith(prefix);
}

/** The events of the given types. */
export function ofTypes(...types: string[]): (recorded: RecordedEvent) => boolean {
  const set = new Set(types);
  return (recorded) => set.has(recorded.type);
}

/** The runner's view of a projector: its head, applying the events it reads. */
function shell(
  head: ProjectorHead,
  apply: (trx: Transaction<ReadModels>, events: readonly RecordedEvent[]) => Promise<void>,
): ReadModelProjector {
  const { name, version, tables, reads } = head;
  return {
    name,
    version,
    tables,
    apply: (trx, events) => apply(trx, reads ? events.filter(reads) : events),
  };
}

/** What an event carries: its type and its data. */
interface TypedEvent {
  type: string;
  data: unknown;
}

/** For each event type a projector handles, how it writes that event's data. */
export type EventHandlers<E extends TypedEvent> = {
  [T in E['type']]?: (
    trx: Transaction<ReadModels>,
    data: Extract<E, { type: T }>['data'],
    recorded: RecordedEvent,
  ) => Promise<unknown>;
};

/**
 * A projector that applies the events it reads one by one, in order, in the batch's transaction,
 * each with the handler of its type. It reads the types it has a handler for (of the streams
 * `head.reads` names, when it names some); every other event leaves it untouched.
 */
export function eventProjector<E extends TypedEvent>(
  head: ProjectorHead,
  handlers: EventHandlers<E>,
): ReadModelProjector {
  const handled = ofTypes(...Object.keys(handlers));
  const { reads } = head;
  return shell(
    { ...head, reads: reads ? (r) => handled(r) && reads(r) : handled },
    async (trx, events) => {
      for (const recorded of events) {
        const e = recorded as unknown as E;
        await handlers[e.type as E['type']]!(trx, e.data, recorded);
      }
    },
  );
}

/** One row batch per table `T`. */
export type RowBatches<T extends TableWithId> = { readonly [K in T]: RowBatch<K> };

/**
 * A projector that folds the events it reads into row batches (one per table, keyed by `id`, see
 * row-batch.ts), then writes them in a few statements, in the order `tables` lists them.
 */
export function batchProjector<E, T extends TableWithId>(
  head: ProjectorHead,
  tables: readonly T[],
  applyOne: (batches: RowBatches<T>, event: E) => void,
): ReadModelProjector {
  return shell(head, async (trx, events) => {
    const batches = Object.fromEntries(tables.map((t) => [t, new RowBatch(t)])) as RowBatches<T>;
    for (const recorded of events) applyOne(batches, recorded as unknown as E);
    for (const t of tables) await batches[t].flush(trx);
  });
}

/** `userId` → `user_id`. */
type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}`
  : S;

/**
 * Columns that keep event fields as the event states them, each named after its field in
 * snake_case (`userId` → `user_id`), the read models' convention.
 */
export function columnsFrom<D extends object, K extends keyof D & string>(
  data: D,
  fields: readonly K[],
): { [P in K as SnakeCase<P>]: D[P] } {
  const columns: Record<string, unknown> = {};
  for (const f of fields) columns[snakeCase(f)] = data[f];
  return columns as { [P in K as SnakeCase<P>]: D[P] };
}

/** Field names as columns, converted once each (every event of a batch names the same few). */
const SNAKE_CASE = new Map<string, string>();

function snakeCase(field: string): string {
  let column = SNAKE_CASE.get(field);
  if (column === undefined) {
    column = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    SNAKE_CASE.set(field, column);
  }
  return column;
}

/** A column of the read-model table `T`. */
type ColumnOf<T extends ReadModelTable> = keyof ReadModels[T] & string;

/** The rows of the table `T` to insert, one or several. */
type NewRows<T extends ReadModelTable> =
  Insertable<ReadModels[T]> | readonly Insertable<ReadModels[T]>[];

/**
 * Inserts `rows` unless a row with the same `key` is there (a replay inserts nothing twice): the
 * table's `id`, or the columns named by `key` (a table without `id` must name them).
 */
export async function insertOnce<T extends TableWithId>(
  trx: Transaction<ReadModels>,
  table: T,
  rows: NewRows<T>,
): Promise<void>;
export async function insertOnce<T extends ReadModelTable>(
  trx: Transaction<ReadModels>,
  table: T,
  rows: NewRows<T>,
  key: ColumnOf<T> | readonly ColumnOf<T>[],
): Promise<void>;
export async function insertOnce<T extends ReadModelTable>(
  trx: Transaction<ReadModels>,
  table: T,
  rows: NewRows<T>,
  // The first signature leaves `key` out for tables keyed by `id` only.
  key: ColumnOf<T> | readonly ColumnOf<T>[] = 'id' as ColumnOf<T>,
): Promise<void> {
  await deferredWrite(
    trx,
    trx
      .insertInto(table)
      .values(rows)
      .onConflict((oc) => (typeof key === 'string' ? oc.column(key) : oc.columns(key)).doNothing()),
  );
}

/**
 * Sets `change` on the row `id` of `table` (absolute values from the event: replays are no-ops).
 * The signature checks the table and its columns; the statement is built on the union of every
 * table (`name`), since Kysely cannot call the builder of a table name that is a type parameter.
 */
export async function updateById<T extends TableWithId>(
  trx: Transaction<ReadModels>,
  table: T,
  id: string,
  change: Updateable<ReadModels[T]>,
): Promise<void> {
  const name: TableWithId = table;
  await deferredWrite(trx, trx.updateTable(name).set(change).where('id', '=', id));
}

/** `updateById` on `table`, stamping the row's `updated_at` with `at` (the event's time). */
export function stampedUpdatesOf<T extends TableWithId>(
  table: T,
): (
  trx: Transaction<ReadModels>,
  id: string,
  change: Updateable<ReadModels[T]>,
  at: string,
) => Promise<void> {
  return (trx, id, change, at) => updateById(trx, table, id, { ...change, updated_at: at });
}
