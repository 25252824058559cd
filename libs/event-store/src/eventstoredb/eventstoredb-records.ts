/**
 * What the EventStoreDB adapter writes and reads: the port's events as the client's JSON events,
 * hash-chained before they leave (so a retry sends the very same bytes), and EventStoreDB's
 * recorded events back as the port's, with system events told apart.
 *
 * Positions: EventStoreDB orders `$all` by (commit position, prepare position). The port's
 * opaque position carries both: `tx` = commit, `pos` = prepare. Events of one write share its
 * commit position and differ by prepare position, as the events of one PostgreSQL transaction
 * share its transaction id and differ by position; so `comparePositions` orders both stores'
 * positions the same way and one token format serves both.
 */
import type {
  AllStreamResolvedEvent,
  EventData,
  JSONType,
  ResolvedEvent,
} from '@eventstore/db-client';
import { assert } from '@kob/kernel';
import type { EventMetadata, NewEvent, Position, RecordedEvent } from '../event-store.port';
import { chainEvents } from '../append-rules';
import { esdb } from './eventstoredb-client';

/** The client's position of an event in `$all`. */
export interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}

export function toPosition(p: EsdbPosition): Position {
  return { tx: p.commit, pos: p.prepare };
}

export function toEsdbPosition(p: Position): EsdbPosition {
  return { commit: p.tx, prepare: p.pos };
}

/** A system event: in a `$` stream (`$users`, `$$` metadata streams, `$stats-…`) or `$`-typed. */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/** The events to send, hash-chained from `headHash` on (append-rules.ts), as the client's. */
export function chainedEvents(
  streamId: string,
  events: readonly NewEvent[],
  firstRevision: bigint,
  headHash: string,
): { events: EventData[]; headHash: string } {
  const chain = chainEvents(streamId, events, firstRevision, headHash);
  return {
    events: chain.events.map((e) =>
      esdb().jsonEvent({
        id: e.id,
        type: e.type,
        data: JSON.parse(e.dataJson) as JSONType,
        metadata: JSON.parse(e.metadataJson) as JSONType,
      }),
    ),
    headHash: chain.headHash,
  };
}

/** A recorded event of the client as the port's, or null for a system event. */
export function fromResolved(
  resolved: ResolvedEvent | AllStreamResolvedEvent,
): RecordedEvent | null {
  const e = resolved.event;
  if (!e || isSystemEvent(e.streamId, e.type)) return null;
  assert(e.position !== undefined, `event ${e.id} came without its $all position`);
  assert(e.isJson, `event ${e.id} of ${e.streamId} is not JSON: not written by this adapter`);
  return {
    id: e.id,
    streamId: e.streamId,
    revision: e.revision,
    type: e.type,
    data: e.data,
    metadata: e.metadata as EventMetadata,
    position: toPosition(e.position),
    recordedAt: e.created,
  };
}
