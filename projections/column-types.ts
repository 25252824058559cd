/**
 * Column types shared by the read-model tables (migrations/read-models): what a query reads from
 * a column and what a projector may write to it, where the two differ.
 */
import type { ColumnType } from 'kysely';

/** A `timestamptz`: read as a Date; written as a Date or as the ISO-8601 text events carry. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A `jsonb` holding a `T`: read as the value; written as its JSON text (`JSON.stringify`). */
export type Json<T> = ColumnType<T, string, string>;

/** A `bigint`: read as its decimal text (pg's default for int8); written as a number or that text. */
export type Int8 = ColumnType<string, number | string, number | string>;
