/**
 * What every adapter does the same way before and around an append: the checks each event and
 * each multi-stream call pass, the hash chain linking the events from the stream's head, and the
 * in-process signal that wakes subscribers after an append (with `appendToStream` as a
 * one-stream `appendMulti`). The adapters differ only in how they write.
 */
import { EventEmitter } from 'node:events';
import { assert, canonicalJsonOf, copyWith, isActor, limits } from '@kob/kernel';
import type {
  AppendMetadata,
  AppendOptions,
  AppendResult,
  ExpectedRevision,
  NewEvent,
  StreamAppend,
  StreamCondition,
} from './event-store.port';
import { MissingActorError } from './errors';
import { eventHashOfJson } from './hash-chain';

/** Each event names its actor, command, correlation and time; a call carries 1..max events. */
export function validateEvents(streamId: string, events: readonly NewEvent[]): void {
  assert(events.length > 0, `append to ${streamId} with no events`);
  assert(events.length <= limits.appendEventsPerCallMax, 'too many events in one append');
  for (const e of events) {
    if (!isActor(e.metadata?.actor)) throw new MissingActorError(streamId, e.type);
    assert(typeof e.metadata.commandId === 'string', 'event metadata needs a commandId');
    assert(typeof e.metadata.correlationId === 'string', 'event metadata needs a correlationId');
    assert(typeof e.metadata.occurredAt === 'string', 'event metadata needs occurredAt');
  }
}

/** A multi-stream call: at least one append, each stream once (appended or a condition). */
export function validateAppendMulti(
  appends: readonly StreamAppend[],
  conditions: readonly StreamCondition[],
): void {
  assert(appends.length > 0, 'appendMulti needs at least one stream');
  const ids = new Set([...appends.map((a) => a.streamId), ...conditions.map((c) => c.streamId)]);
  assert(
    ids.size === appends.length + conditions.length,
    'appendMulti: a stream may appear once (appended or a condition)',
  );
  assert(conditions.length <= limits.appendEventsPerCallMax, 'too many conditions in one append');
}

/** An event as it is stored: data and metadata as JSON text, linked by `prevHash`/`hash`. */
export interface ChainedEvent {
  id: string;
  type: string;
  revision: bigint;
  /** The data's canonical JSON: the very text its hash covers. */
  dataJson: string;
  /** The metadata's JSON with `prevHash` and `hash`. */
  metadataJson: string;
}

/**
 * The events linked to the one before by their hash, from `headHash` (the stream's head) on,
 * the first at `firstRevision`. Hashes cover exactly what is stored: the JSON form (a Date
 * becomes its ISO string, undefined members disappear), so an honest chain always verifies
 * after the store's round trip, and a retry sends the very same bytes. Each event's data and
 * metadata are written as canonical JSON once, and its hash is taken over those texts
 * (`eventHashOfJson`, the same hash as `eventHash` of the stored event).
 */
export function chainEvents(
  streamId: string,
  events: readonly NewEvent[],
  firstRevision: bigint,
  headHash: string,
): { events: ChainedEvent[]; headHash: string } {
  let prevHash = headHash;
  let revision = firstRevision;
  const out: ChainedEvent[] = [];
  for (const e of events) {
    const dataJson = canonicalJsonOf(e.data) ?? 'null';
    const { hash: _replaced, ...metadata } = e.metadata as AppendMetadata & { hash?: unknown };
    const metadataJson = canonicalJsonOf(copyWith(metadata, { prevHash })) ?? '';
    // An object with prevHash at least (a toJSON of the caller's could make it anything else).
    assert(
      metadataJson.startsWith('{"') && metadataJson.includes('"prevHash":'),
      'event metadata must be written as an object',
    );
    const hash = eventHashOfJson(streamId, revision, e.id, e.type, dataJson, metadataJson);
    out.push({
      id: e.id,
      type: e.type,
      revision,
      dataJson,
      // Never empty: it holds prevHash at least.
      metadataJson: `${metadataJson.slice(0, -1)},"hash":${JSON.stringify(hash)}}`,
    });
    prevHash = hash;
    revision += 1n;
  }
  return { events: out, headHash: prevHash };
}

/**
 * The part of the port every adapter implements alike: `onAppended` listeners woken by
 * `notifyAppended`, and `appendToStream` as a one-stream `appendMulti`.
 */
export abstract class AppendNotifyingStore {
  private readonly appended = new EventEmitter();

  constructor() {
    this.appended.setMaxListeners(1000);
  }

  abstract appendMulti(appends: StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;

  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedRevision: ExpectedRevision; expectedHeadHash?: string },
  ): Promise<AppendResult> {
    const [result] = await this.appendMulti([{ streamId, events, ...options }]);
    return result!;
  }

  /** Wakes in-process subscribers (after an append, written or maybe written). */
  protected notifyAppended(): void {
    this.appended.emit('appended');
  }

  /** Drops every listener (on close). */
  protected forgetListeners(): void {
    this.appended.removeAllListeners();
  }
}
