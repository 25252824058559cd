/**
 * One stream's append on EventStoreDB: the head resolved (revision and hash), the events
 * chained and sent at that expected revision, a conflict as the port's typed error, and a
 * connection failure handled without a blind retry: the stream is read to learn whether the
 * events (by id, from the expected revision on) are already there, and only if they are not are
 * the very same events sent again at the very same expected revision.
 */
import type {
  AppendResult as EsdbAppendResult,
  EventData,
  EventStoreDBClient,
} from '@eventstore/db-client';
import { assert, limits } from '@kob/kernel';
import type {
  AppendResult,
  EventStore,
  RecordedEvent,
  StreamAppend,
  StreamHead,
} from '../event-store.port';
import { WrongExpectedRevisionError } from '../errors';
import { GENESIS_HASH } from '../hash-chain';
import { validateEvents } from '../append-rules';
import { chainedEvents, toPosition } from './eventstoredb-records';
import {
  EventStoreUnavailableError,
  RETRY_BACKOFF_MS,
  connectionFailure,
  isWrongExpectedVersion,
  pause,
} from './eventstoredb-errors';
import { esdb } from './eventstoredb-client';

/** Attempts of one append (the first and its checked retries) after connection failures. */
const APPEND_ATTEMPTS_MAX = 3;
/** Attempts of an `any` append that lost a race to create or extend the stream. */
const ANY_ATTEMPTS_MAX = 5;

type Resolved = { expected: 'no_stream' | bigint; headHash: string };

export class StreamWriter {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly reader: Pick<EventStore, 'readStream' | 'streamHead'>,
    private readonly appendDeadlineMs?: number,
  ) {}

  /** The stream's head now (revision and hash), or null when it does not exist. */
  head(streamId: string): Promise<StreamHead | null> {
    return this.reader.streamHead(streamId);
  }

  /** The stream's events from `fromRevision` on (at most one batch). */
  readFrom(streamId: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    return this.reader.readStream(streamId, {
      fromRevision,
      maxCount: limits.appendEventsPerCallMax,
    });
  }

  /** The stream's last event as an append's answer (for an append it superseded), or null. */
  async headResult(streamId: string): Promise<AppendResult | null> {
    const [last] = await this.reader.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last
      ? {
          streamId,
          nextRevision: last.revision,
          headHash: last.metadata.hash,
          position: last.position,
        }
      : null;
  }

  /** Appends to one stream at its expected revision (`any` resolved to the head's). */
  async append(append: StreamAppend): Promise<AppendResult> {
    validateEvents(append.streamId, append.events);
    const attempts = append.expectedRevision === 'any' ? ANY_ATTEMPTS_MAX : 1;
    for (let attempt = 1; ; attempt++) {
      const resolved = await this.resolve(append).catch((e: unknown) => {
        // The head could not be read: nothing was sent.
        if (!(e instanceof EventStoreUnavailableError)) throw e;
        throw new EventStoreUnavailableError(e.failure, 'append', 'not-written', { cause: e });
      });
      try {
        return await this.write(append, resolved);
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError) || attempt >= attempts) throw err;
      }
    }
  }

  private async resolve(append: StreamAppend): Promise<Resolved> {
    const { streamId, expectedRevision } = append;
    if (expectedRevision === 'no_stream') return { expected: 'no_stream', headHash: GENESIS_HASH };
    if (expectedRevision === 'any') {
      const head = await this.reader.streamHead(streamId);
      return head
        ? { expected: head.revision, headHash: head.headHash }
        : { expected: 'no_stream', headHash: GENESIS_HASH };
    }
    // The event at an exact revision never changes: the caller's hash of it is as good as ours.
    if (append.expectedHeadHash)
      return { expected: expectedRevision, headHash: append.expectedHeadHash };
    const [head] = await this.reader.readStream(streamId, {
      fromRevision: expectedRevision,
      maxCount: 1,
    });
    if (head?.revision !== expectedRevision) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision);
    }
    return { expected: expectedRevision, headHash: head.metadata.hash };
  }

  private async write(append: StreamAppend, resolved: Resolved): Promise<AppendResult> {
    const { streamId } = append;
    const first = resolved.expected === 'no_stream' ? 0n : resolved.expected + 1n;
    const chain = chainedEvents(streamId, append.events, first, resolved.headHash);
    const written = await this.send(streamId, chain.events, resolved.expected, first);
    const last = first + BigInt(append.events.length) - 1n;
    assert(written.revision === last, 'EventStoreDB answered another revision than appended');
    return { streamId, nextRevision: last, headHash: chain.headHash, position: written.position };
  }

  /** Sends the events; after a connection failure, looks before it sends them again. */
  private async send(
    streamId: string,
    events: EventData[],
    expected: 'no_stream' | bigint,
    first: bigint,
  ): Promise<{ revision: bigint; position: AppendResult['position'] }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.client.appendToStream(streamId, events, {
          expectedRevision: expected === 'no_stream' ? esdb().NO_STREAM : expected,
          ...(this.appendDeadlineMs ? { deadline: this.appendDeadlineMs } : {}),
        });
        return fromAppendResult(result);
      } catch (err) {
        const conflict = isWrongExpectedVersion(err);
        const failure = conflict ? null : connectionFailure(err);
        if (!conflict && !failure) throw err;
        // A conflict after an unanswered attempt may be that attempt, written after all.
        if (attempt > 1 || failure) {
          const found = await this.findWritten(streamId, events, first).catch((e: unknown) => {
            // The node is gone before the check could tell: the append may or may not be there.
            if (!(e instanceof EventStoreUnavailableError)) throw e;
            throw new EventStoreUnavailableError(e.failure, 'append', 'unknown', { cause: err });
          });
          if (found) return found;
        }
        if (conflict) throw new WrongExpectedRevisionError(streamId, expected);
        if (attempt >= APPEND_ATTEMPTS_MAX) {
          const outcome = failure === 'not-leader' ? 'not-written' : 'unknown';
          throw new EventStoreUnavailableError(failure!, 'append', outcome, { cause: err });
        }
        await pause(RETRY_BACKOFF_MS * attempt);
      }
    }
  }

  /** The events, if the stream holds them (same ids) from revision `first` on. */
  private async findWritten(
    streamId: string,
    events: EventData[],
    first: bigint,
  ): Promise<{ revision: bigint; position: AppendResult['position'] } | null> {
    assert(events.length <= limits.appendEventsPerCallMax, 'too many events in one append');
    const stored = await this.reader.readStream(streamId, {
      fromRevision: first,
      maxCount: events.length,
    });
    if (stored.length !== events.length) return null;
    if (!stored.every((e, i) => e.id === events[i]!.id)) return null;
    const last = stored[stored.length - 1]!;
    return { revision: last.revision, position: last.position };
  }
}

function fromAppendResult(result: EsdbAppendResult): {
  revision: bigint;
  position: AppendResult['position'];
} {
  assert(result.success && result.position !== undefined, 'an append answered without a position');
  return { revision: result.nextExpectedRevision, position: toPosition(result.position) };
}
