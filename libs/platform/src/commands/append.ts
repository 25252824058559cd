/**
 * The end of every command: append the decided events (with the other streams' appends and the
 * pinned facts, atomically), then fold them into the cached state with the key they were made
 * under, and answer with the revisions and the `$all` position they got.
 */
import { assert, newId } from '@kob/kernel';
import type { Decider, DomainEvent } from '@kob/domain';
import {
  type AppendResult,
  type EventStore,
  type StreamAppend,
  type StreamCondition,
  latestPosition,
} from '@kob/event-store';
import { inSpan } from '../observability/tracing';
import { eventMetadataOf } from './command-metadata';
import type { CommandMetadata, CommandResult, CommandRunnerOptions } from './command-types';
import { keptRequestHash, keptRevision, scopedKey } from './idempotency';
import type { CachedStream, StreamStateCache } from './stream-state-cache';

export interface AppendContext {
  store: EventStore;
  cache: StreamStateCache;
  options: CommandRunnerOptions;
}

/** What a command decided on the stream `streamId`, folded from `cached`. */
export interface Decided<S, E extends DomainEvent> {
  streamId: string;
  decider: Decider<S, any, E>;
  cached: CachedStream;
  events: E[];
  metadata: CommandMetadata;
}

export async function appendAndCache<S, E extends DomainEvent>(
  ctx: AppendContext,
  decided: Decided<S, E>,
  extra: StreamAppend[],
  pins: readonly StreamCondition[] = [],
): Promise<CommandResult<S, E>> {
  const { streamId, cached, events } = decided;
  if (events.length === 0) {
    // Nothing appended: the stream's head position, so a caller that must wait for the read
    // models (a repeated revoke) waits for what is already there.
    return {
      streamId,
      state: cached.state as S,
      events: [],
      revision: cached.revision ?? -1n,
      position: cached.position,
      replayed: false,
    };
  }
  const results = await commit(ctx, streamId, events.length, [...extra, mainAppend(decided)], pins);
  // The other streams moved too: a cached state of them is stale now (read afresh next time).
  for (const other of extra) ctx.cache.delete(other.streamId);
  const result = results[results.length - 1]!;
  const first = result.nextRevision - BigInt(events.length) + 1n;
  const state = cacheAppended(ctx.cache, decided, result, first);
  assert(first >= 0n, 'appended revision range starts below zero');
  return {
    streamId,
    state,
    events: events.map((e, i) => ({
      type: e.type,
      data: e.data,
      streamId,
      revision: first + BigInt(i),
    })),
    revision: result.nextRevision,
    position: latestPosition(results.map((r) => r.position)),
    replayed: false,
  };
}

/** The command's own append, at the revision and head hash its state was folded to. */
function mainAppend<S, E extends DomainEvent>(decided: Decided<S, E>): StreamAppend {
  const { cached } = decided;
  const meta = eventMetadataOf(decided.metadata);
  return {
    streamId: decided.streamId,
    events: decided.events.map((e) => ({
      id: newId(),
      type: e.type,
      data: e.data,
      metadata: meta,
    })),
    expectedRevision: cached.revision === null ? 'no_stream' : cached.revision,
    ...(cached.headHash ? { expectedHeadHash: cached.headHash } : {}),
  };
}

async function commit(
  ctx: AppendContext,
  streamId: string,
  eventCount: number,
  appends: StreamAppend[],
  pins: readonly StreamCondition[],
): Promise<AppendResult[]> {
  const started = performance.now();
  const results = await inSpan(
    'event-store append',
    { 'kobatela.stream': streamId, 'kobatela.events': eventCount },
    () => ctx.store.appendMulti(appends, pins.length > 0 ? { conditions: pins } : {}),
  );
  ctx.options.onAppendMs?.(performance.now() - started);
  if (ctx.options.crashAfterAppend) process.kill(process.pid, 'SIGKILL');
  return results;
}

/** Folds the appended events into the cached state, with the key they were made under. */
function cacheAppended<S, E extends DomainEvent>(
  cache: StreamStateCache,
  decided: Decided<S, E>,
  result: AppendResult,
  first: bigint,
): S {
  const { cached, decider, metadata } = decided;
  let state = cached.state as S;
  for (const e of decided.events) state = decider.evolve(state, e);
  const idempotency = cached.idempotency;
  if (metadata.idempotency) {
    idempotency.set(scopedKey(metadata.idempotency), {
      requestHash: keptRequestHash(metadata.idempotency.requestHash),
      fromRevision: keptRevision(first),
      toRevision: keptRevision(result.nextRevision),
    });
  }
  cache.set(decided.streamId, {
    category: decider.category,
    revision: result.nextRevision,
    headHash: result.headHash,
    position: result.position,
    state,
    idempotency,
  });
  return state;
}
