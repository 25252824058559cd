/**
 * The append statements of the PostgreSQL event store: the events hash-chained (append-rules.ts)
 * and written with their stream's head in one statement, the conditions on other streams, and
 * `any` resolved.
 */
import type { PoolClient } from 'pg';
import { assert } from '@kob/kernel';
import type { AppendResult, NewEvent, StreamAppend, StreamCondition } from '../event-store.port';
import { DuplicateEventIdError, UnstorableEventError, WrongExpectedRevisionError } from '../errors';
import { GENESIS_HASH } from '../hash-chain';
import { chainEvents } from '../append-rules';

const INSERT_EVENTS = `
  INSERT INTO events (event_id, stream_id, revision, type, data, metadata)
  SELECT e.id, h.stream_id, e.rev, e.type, e.data, e.meta
  FROM head h CROSS JOIN unnest($5::uuid[], $6::bigint[], $7::text[], $8::jsonb[], $9::jsonb[])
    WITH ORDINALITY AS e(id, rev, type, data, meta, ord)
  ORDER BY e.ord
  RETURNING position, transaction_id::text AS tx`;

const APPEND_NEW_STREAM = `
  WITH head AS (
    INSERT INTO streams (stream_id, revision, head_hash) VALUES ($1, $3, $4)
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING stream_id, $2::bigint AS unused
  ) ${INSERT_EVENTS}`;

const APPEND_EXISTING_STREAM = `
  WITH head AS (
    UPDATE streams SET revision = $3, head_hash = $4, updated_at = now()
    WHERE stream_id = $1 AND revision = $2 AND head_hash = $10
    RETURNING stream_id
  ) ${INSERT_EVENTS}`;

/** One statement: the head check and the inserts. */
export async function appendOne(client: PoolClient, append: StreamAppend): Promise<AppendResult> {
  const { streamId, events, expectedRevision } = append;
  assert(expectedRevision !== 'any', 'resolve "any" before appendOne');
  const headHash =
    expectedRevision === 'no_stream'
      ? GENESIS_HASH
      : (append.expectedHeadHash ?? (await headHashAt(client, streamId, expectedRevision)));
  const firstRevision = expectedRevision === 'no_stream' ? 0n : expectedRevision + 1n;
  const chain = chainColumns(streamId, events, firstRevision, headHash);
  const params: unknown[] = [
    streamId,
    expectedRevision === 'no_stream' ? null : expectedRevision.toString(),
    chain.lastRevision.toString(),
    chain.headHash,
    ...chain.columns,
  ];
  const rows = await insertEvents(client, append, params, headHash);
  if (rows.length === 0) throw new WrongExpectedRevisionError(streamId, expectedRevision);
  assert(rows.length === events.length, 'append inserted a partial batch');
  assert(firstRevision + BigInt(events.length) - 1n === chain.lastRevision, 'revision arithmetic');
  const last = rows[rows.length - 1]!;
  return {
    streamId,
    nextRevision: chain.lastRevision,
    headHash: chain.headHash,
    position: { tx: BigInt(last.tx), pos: BigInt(last.position) },
  };
}

/** The chained events as the statement's columns (ids, revisions, types, data, metadata). */
export function chainColumns(
  streamId: string,
  events: readonly NewEvent[],
  firstRevision: bigint,
  headHash: string,
): { columns: string[][]; lastRevision: bigint; headHash: string } {
  const chain = chainEvents(streamId, events, firstRevision, headHash);
  return {
    columns: [
      chain.events.map((e) => e.id),
      chain.events.map((e) => e.revision.toString()),
      chain.events.map((e) => e.type),
      chain.events.map((e) => e.dataJson),
      chain.events.map((e) => e.metadataJson),
    ],
    lastRevision: firstRevision + BigInt(events.length) - 1n,
    headHash: chain.headHash,
  };
}

/** Runs the append statement; the database's refusals become the store's errors. */
async function insertEvents(
  client: PoolClient,
  append: StreamAppend,
  params: unknown[],
  headHash: string,
): Promise<{ position: string; tx: string }[]> {
  const { streamId, events, expectedRevision } = append;
  try {
    const statement =
      expectedRevision === 'no_stream'
        ? { name: 'kobatela-append-new', text: APPEND_NEW_STREAM, values: params }
        : {
            name: 'kobatela-append-existing',
            text: APPEND_EXISTING_STREAM,
            values: [...params, headHash],
          };
    return (await client.query<{ position: string; tx: string }>(statement)).rows;
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'events_event_id_key') {
      throw new DuplicateEventIdError(
        streamId,
        events.map((x) => x.id),
      );
    }
    if (e.code === '23505') throw new WrongExpectedRevisionError(streamId, expectedRevision);
    if (e.code === '22P05' || e.code === '22P02')
      throw new UnstorableEventError(streamId, String((err as Error).message));
    throw err;
  }
}

async function headHashAt(client: PoolClient, streamId: string, revision: bigint): Promise<string> {
  const res = await client.query<{ head_hash: string }>(
    'SELECT head_hash FROM streams WHERE stream_id = $1 AND revision = $2',
    [streamId, revision.toString()],
  );
  const row = res.rows[0];
  if (!row) throw new WrongExpectedRevisionError(streamId, revision);
  return row.head_hash;
}

/**
 * A stream read (not written) must still be at the revision the decision read. FOR SHARE: a
 * writer of that stream holding its head row makes this wait, then read the revision it
 * committed; one that comes after waits for this transaction.
 */
export async function checkCondition(
  client: PoolClient,
  condition: StreamCondition,
): Promise<void> {
  const res = await client.query<{ revision: string }>(
    'SELECT revision FROM streams WHERE stream_id = $1 FOR SHARE',
    [condition.streamId],
  );
  const row = res.rows[0];
  if (!row || BigInt(row.revision) !== condition.expectedRevision) {
    throw new WrongExpectedRevisionError(condition.streamId, condition.expectedRevision);
  }
}

export async function resolveAny(client: PoolClient, append: StreamAppend): Promise<StreamAppend> {
  const res = await client.query<{ revision: string; head_hash: string }>(
    'SELECT revision, head_hash FROM streams WHERE stream_id = $1 FOR UPDATE',
    [append.streamId],
  );
  const row = res.rows[0];
  if (!row) return { ...append, expectedRevision: 'no_stream' };
  return { ...append, expectedRevision: BigInt(row.revision), expectedHeadHash: row.head_hash };
}
