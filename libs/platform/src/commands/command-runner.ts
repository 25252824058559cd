/**
 * The command pipeline every handler uses: read stream → fold → decide → append with the
 * expected revision, behind a per-stream queue in this process and bounded jittered retries
 * across processes (API-RULES.md §5). It is also where idempotency lives (§4), written into the
 * events' metadata, never into a side table:
 *
 * - on a stream named by the path (`execute`), the stream state remembers which idempotency keys
 *   it has seen (with the request hash and the revisions they produced); a repeat appends nothing
 *   and returns the recorded events;
 * - on a stream created or chosen by the command (`executeWithDerivedId`), the id is derived from
 *   (scope, key) and an `idem-{uuid}` reservation is claimed in the same atomic append as the
 *   effect; a retry reads the reservation first and finds the first effect.
 *
 * No code path appends without an actor: the metadata type requires one, the runner asserts
 * it, and the store refuses events without one. Outside calls (PSP, AI) never run in here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Actor, DomainError, assert, isActor, limits, newId, uuidV5 } from '@kob/kernel';
import type { Decider, DomainEvent } from '@kob/domain';
import {
  type AppendMetadata,
  type EventStore,
  type NewEvent,
  type Position,
  type RecordedEvent,
  type StreamAppend,
  type StreamCondition,
  RESERVATION_CLAIMED,
  WrongExpectedRevisionError,
  comparePositions,
  claimReservation,
  readReservation,
} from '@kob/event-store';
import { activeTraceparent, inSpan } from '../observability/tracing';
import { StreamQueue } from './stream-queue';
import { StreamStateCache, type CachedStream } from './stream-state-cache';

export interface IdempotencyContext {
  key: string;
  /** The key's linked user (else the API key id), the method and the concrete path. */
  scope: string;
  requestHash: string;
}

export interface CommandMetadata {
  actor: Actor;
  commandId: string;
  correlationId: string;
  causationId: string;
  now: Date;
  traceparent?: string;
  idempotency?: IdempotencyContext;
}

export interface AppendedEvent<E extends DomainEvent = DomainEvent> {
  type: E['type'];
  data: E['data'];
  streamId: string;
  revision: bigint;
}

export interface CommandResult<S, E extends DomainEvent = DomainEvent> {
  streamId: string;
  state: S;
  /** The events this command produced (on a replay: the ones the first request produced). */
  events: AppendedEvent<E>[];
  revision: bigint;
  /** `$all` position of the last event appended; null on a replay that appended nothing. */
  position: Position | null;
  replayed: boolean;
  /**
   * Reservation streams this command claimed while they did not exist yet (no event before its
   * claim, e.g. no webhook parked on a PSP reference).
   */
  claimedNew?: string[];
}

/** A reservation a command claims atomically with its events; `taken` is its rule's error. */
export interface ReservationClaim {
  streamId: string;
  owner: string;
  data?: Record<string, unknown>;
  taken: () => DomainError;
  /**
   * The stream very likely does not exist yet (a reference the PSP has just issued): the first
   * attempt claims it at `no_stream` without reading it; if it exists after all, the append
   * conflicts and the retry reads it.
   */
  likelyNew?: boolean;
}

/** Appends to other streams committed atomically with a command's events. */
export type ExtraAppends<S, E> = (
  events: E[],
  stateBefore: S,
  metadata: CommandMetadata,
) => Promise<StreamAppend[]>;

/**
 * Reads the streams whose facts authorise a decision (an allowlist, a certification, an
 * allowance). Every stream it reads that exists becomes a condition of the command's append at
 * the revision read, so a concurrent change of those facts is ordered before the append (which
 * then conflicts, and the command reads the facts again and decides again) or after it.
 */
export interface PinnedReader {
  read<S>(streamId: string, decider: Decider<S, any, any>): Promise<S>;
}

/** Gathers a command's facts through a PinnedReader; run again on every attempt. */
export type Facts<F> = (reader: PinnedReader) => Promise<F>;

export interface CommandRunnerOptions {
  /** Test hook: SIGKILL this process right after an append commits (crash tests). */
  crashAfterAppend?: boolean;
  onConflictRetry?: (streamId: string) => void;
  onCommand?: (kind: string, outcome: string) => void;
  onAppendMs?: (ms: number) => void;
}

/** A command on a stream created or chosen by the command, decided on facts read and pinned. */
export interface FactsCommand<S, C, E extends DomainEvent, F> {
  decider: Decider<S, C, E>;
  metadata: CommandMetadata;
  targetStream: (id: string) => string;
  facts?: Facts<F>;
  command: (id: string, facts: F) => C;
  claims?: (id: string) => ReservationClaim[];
  extra?: ExtraAppends<S, E>;
  queueOn?: 'idem' | 'target';
  /** The command's kind, for metrics and traces (else the decider's category). */
  kind?: string;
}

export class ConcurrencyConflictError extends DomainError {
  constructor(streamId: string) {
    super(
      'CONCURRENCY_CONFLICT',
      `the stream ${streamId} kept changing; retry the request`,
      'conflict',
      {
        stream: streamId,
      },
    );
  }
}

export function idempotencyKeyReused(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request',
    'invalid',
  );
}

export class CommandRunner {
  private readonly queue = new StreamQueue();
  private readonly cache = new StreamStateCache(limits.streamCacheEntriesMax);

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandRunnerOptions = {},
  ) {}

  /** A command on an existing (or, with `allowNew`, possibly new) stream named by the caller. */
  async execute<S, C, E extends DomainEvent>(params: {
    streamId: string;
    decider: Decider<S, C, E>;
    command: C;
    metadata: CommandMetadata;
    /** Uniqueness reservations claimed in the same atomic append (e.g. a PSP reference). */
    claims?: ReservationClaim[];
    /**
     * Appends to other streams that must commit with the decided events (an alert for a failed
     * payment, a reservation released by a consumed mandate). Called only when the decision
     * appends something; a conflict on any of them retries the whole command.
     */
    extra?: ExtraAppends<S, E>;
  }): Promise<CommandResult<S, E>> {
    const kind = () => commandKind(params.command, params.decider);
    return this.counted(kind, () => this.executeOnce(params));
  }

  private async executeOnce<S, C, E extends DomainEvent>(params: {
    streamId: string;
    decider: Decider<S, C, E>;
    command: C;
    metadata: CommandMetadata;
    claims?: ReservationClaim[];
    extra?: ExtraAppends<S, E>;
  }): Promise<CommandResult<S, E>> {
    const { streamId, decider, metadata } = params;
    assertMetadata(metadata);
    let attempt = 0;
    return this.queue.run(streamId, () =>
      this.withRetries(streamId, async () => {
        attempt++;
        // First on the cached state as it is (no read: one round trip per command on a hot
        // stream). A decision that appends is verified by the append's expected revision; one
        // that appends nothing or refuses is only trusted on a state just read from the store.
        for (const fresh of [false, true]) {
          const { cached, verified } = await this.loadFor(streamId, decider, fresh);
          const idem = metadata.idempotency;
          if (idem) {
            const seen = cached.idempotency.get(scopedKey(idem));
            if (seen) {
              if (seen.requestHash !== idem.requestHash) throw idempotencyKeyReused();
              return this.replay<S, E>(streamId, decider, seen.fromRevision, seen.toRevision);
            }
          }
          let events: E[];
          try {
            events = decider.decide(params.command, cached.state as S);
          } catch (err) {
            if (verified) throw err;
            continue;
          }
          if (events.length === 0 && !verified) continue;
          const extra: StreamAppend[] = [];
          const claimedNew: string[] = [];
          let stale = false;
          for (const claim of events.length > 0 ? (params.claims ?? []) : []) {
            const reservation =
              claim.likelyNew && attempt === 1
                ? {
                    streamId: claim.streamId,
                    status: 'free' as const,
                    owner: null,
                    data: null,
                    revision: 'no_stream' as const,
                  }
                : await readReservation(this.store, claim.streamId);
            // Already ours (a retry, a later step of the same deposit): nothing to claim.
            if (reservation.status === 'claimed' && reservation.owner === claim.owner) continue;
            if (reservation.status === 'claimed') {
              // On a cached state the taken slot may be this very command, recorded by another
              // process: decide again on a fresh state (where its key is seen) before refusing.
              if (!verified) {
                stale = true;
                break;
              }
              throw claim.taken();
            }
            extra.push(
              claimReservation(
                reservation,
                claim.owner,
                claim.data ?? {},
                this.eventMetadata(metadata),
                newId(),
              ),
            );
            if (reservation.revision === 'no_stream') claimedNew.push(claim.streamId);
          }
          if (stale) continue;
          if (events.length > 0 && params.extra)
            extra.push(...(await params.extra(events, cached.state as S, metadata)));
          const result = await this.appendAndCache(
            streamId,
            decider,
            cached,
            events,
            metadata,
            extra,
          );
          return claimedNew.length > 0 ? { ...result, claimedNew } : result;
        }
        throw new Error('unreachable: the fresh attempt always returns or throws');
      }),
    );
  }

  /**
   * A command whose target stream is created or chosen by the command: its id comes from
   * (scope, Idempotency-Key) when a key is given (else a random id), and the `idem-{id}`
   * reservation is claimed atomically with the effect.
   */
  async executeWithDerivedId<S, C, E extends DomainEvent>(params: {
    decider: Decider<S, C, E>;
    metadata: CommandMetadata;
    /** The target stream for a derived id (e.g. `escrow-{id}`). */
    targetStream: (id: string) => string;
    command: (id: string) => C;
    /** Uniqueness reservations claimed in the same atomic append (username, key prefix …). */
    claims?: (id: string) => ReservationClaim[];
    /** Other streams' appends committed with the effect (see `execute`). */
    extra?: ExtraAppends<S, E>;
    /**
     * `target` when the target is an existing stream chosen by a lookup (a purchase on its
     * mandate): commands on that stream queue behind each other, as §5 asks, instead of racing.
     */
    queueOn?: 'idem' | 'target';
    /** The command's kind, for metrics and traces (else the decider's category). */
    kind?: string;
  }): Promise<CommandResult<S, E> & { id: string }> {
    // The command's type needs an id; any id names the same type.
    const kind = params.kind ?? commandKind(params.command(''), params.decider);
    return this.executeWithFacts({ ...params, kind, command: (id: string) => params.command(id) });
  }

  /**
   * `executeWithDerivedId` for a decision that depends on other streams' facts: `facts` reads them
   * through a PinnedReader on every attempt, `command` is built from what it read, and the append
   * is conditional on the revisions read (never on a read model).
   */
  async executeWithFacts<S, C, E extends DomainEvent, F>(
    params: FactsCommand<S, C, E, F>,
  ): Promise<CommandResult<S, E> & { id: string }> {
    const kind = () => params.kind ?? params.decider.category;
    return this.counted(kind, () => this.executeWithDerivedIdOnce(params));
  }

  private async executeWithDerivedIdOnce<S, C, E extends DomainEvent, F>(
    params: FactsCommand<S, C, E, F>,
  ): Promise<CommandResult<S, E> & { id: string }> {
    const { decider, metadata } = params;
    assertMetadata(metadata);
    const idem = metadata.idempotency;
    const id = idem ? uuidV5(`${idem.scope}\n${idem.key}`) : newId();
    const target = params.targetStream(id);
    const idemStream = `idem-${id}`;
    const run = () =>
      this.withRetries(target, async (): Promise<CommandResult<S, E>> => {
        // The target is read before the reservation: both are committed in one transaction, so
        // a free reservation read after the target proves the target was not created under it.
        const cached = await this.load(target, decider);
        let extra: StreamAppend[] = [];
        if (idem) {
          const reservation = await readReservation(this.store, idemStream);
          if (reservation.status === 'claimed') {
            const data = reservation.data as unknown as { target: string; requestHash: string };
            if (data.requestHash !== idem.requestHash) throw idempotencyKeyReused();
            const owner = await this.load(data.target, decider);
            const seen = owner.idempotency.get(scopedKey(idem));
            assert(
              seen,
              `idem reservation ${idemStream} points at ${data.target} without its events`,
            );
            return this.replay<S, E>(data.target, decider, seen.fromRevision, seen.toRevision);
          }
          extra = [
            claimReservation(
              reservation,
              `${decider.category}:${id}`,
              { target, requestHash: idem.requestHash },
              this.eventMetadata(metadata),
              newId(),
            ),
          ];
        }
        // The facts, read fresh on every attempt: a conflict on one of them means it changed.
        const pins: StreamCondition[] = [];
        const facts = params.facts
          ? await params.facts(this.pinnedReader(target, pins))
          : (undefined as F);
        const events = decider.decide(params.command(id, facts), cached.state as S);
        for (const claim of params.claims?.(id) ?? []) {
          const reservation = await readReservation(this.store, claim.streamId);
          if (reservation.status === 'claimed') throw claim.taken();
          extra.push(
            claimReservation(
              reservation,
              claim.owner,
              claim.data ?? {},
              this.eventMetadata(metadata),
              newId(),
            ),
          );
        }
        if (events.length > 0 && params.extra)
          extra.push(...(await params.extra(events, cached.state as S, metadata)));
        return this.appendAndCache(target, decider, cached, events, metadata, extra, pins);
      });
    const result = await this.queue.run(
      idem && params.queueOn !== 'target' ? idemStream : target,
      run,
    );
    return { ...result, id };
  }

  /**
   * The first answer of a derived-id command already run under this Idempotency-Key, or null.
   * For handlers whose lookup of the target could fail on today's state (a purchase whose
   * mandate has since been consumed): the retry must find the first effect before any lookup.
   */
  async findDerived<S, C, E extends DomainEvent>(params: {
    decider: Decider<S, C, E>;
    metadata: CommandMetadata;
  }): Promise<(CommandResult<S, E> & { id: string }) | null> {
    const idem = params.metadata.idempotency;
    if (!idem) return null;
    const id = uuidV5(`${idem.scope}\n${idem.key}`);
    const reservation = await readReservation(this.store, `idem-${id}`);
    if (reservation.status !== 'claimed') return null;
    const data = reservation.data as unknown as { target: string; requestHash: string };
    if (data.requestHash !== idem.requestHash) throw idempotencyKeyReused();
    const owner = await this.load(data.target, params.decider);
    const seen = owner.idempotency.get(scopedKey(idem));
    assert(seen, `idem reservation idem-${id} points at ${data.target} without its events`);
    return {
      ...(await this.replay<S, E>(data.target, params.decider, seen.fromRevision, seen.toRevision)),
      id,
    };
  }

  /** Reports each command's outcome (`ok`, `replayed`, a DomainError code, `error`) to onCommand. */
  private async counted<T extends { replayed: boolean }>(
    kind: () => string,
    run: () => Promise<T>,
  ): Promise<T> {
    const name = kind();
    return inSpan(`command ${name}`, { 'kobatela.command': name }, async (span) => {
      let result: T;
      try {
        result = await run();
      } catch (err) {
        this.options.onCommand?.(name, err instanceof DomainError ? err.code : 'error');
        throw err;
      }
      span.setAttribute('kobatela.replayed', result.replayed ? 1 : 0);
      this.options.onCommand?.(name, result.replayed ? 'replayed' : 'ok');
      return result;
    });
  }

  /**
   * Runs `work` holding the stream's in-process queue: commands it executes on that stream run
   * inside it, and no other command on the stream runs meanwhile. For handlers that must call
   * the outside world (a PSP) between reading a stream and appending to it; the call is outside
   * any retry loop, and the expected revision still guards against other processes.
   */
  exclusive<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(streamId, work);
  }

  /** A reader whose every existing stream becomes a condition (at the revision read) in `pins`. */
  private pinnedReader(target: string, pins: StreamCondition[]): PinnedReader {
    return {
      read: async <S>(streamId: string, decider: Decider<S, any, any>): Promise<S> => {
        assert(
          streamId !== target,
          'the target stream is checked by its own expected revision, not pinned',
        );
        assert(
          pins.length < limits.appendEventsPerCallMax,
          'too many facts pinned for one command',
        );
        const cached = await this.load(streamId, decider);
        // A stream that does not exist holds no fact that authorises anything: nothing to pin.
        if (cached.revision !== null && !pins.some((p) => p.streamId === streamId))
          pins.push({ streamId, expectedRevision: cached.revision });
        return cached.state as S;
      },
    };
  }

  /** Reads a stream's folded state (from the cache, topped up with newer events). */
  async read<S, C, E extends DomainEvent>(
    streamId: string,
    decider: Decider<S, C, E>,
  ): Promise<{ state: S; revision: bigint | null }> {
    const cached = await this.load(streamId, decider);
    return { state: cached.state as S, revision: cached.revision };
  }

  /**
   * Refuses, before any side effect, an Idempotency-Key this stream has already seen with another
   * request (422 IDEMPOTENCY_KEY_REUSED), on a state read fresh from the store. For handlers that
   * call the outside world before their command (a deposit asks the PSP first): without this the
   * PSP would act on a request the command then refuses.
   */
  async assertKeyFree<S, C, E extends DomainEvent>(
    streamId: string,
    decider: Decider<S, C, E>,
    idem: IdempotencyContext,
    options: { justRead?: boolean } = {},
  ): Promise<void> {
    // `justRead`: the caller read the stream (`read`) inside the stream's queue it still holds,
    // so the cached state is the store's: no second read.
    const hit = options.justRead ? this.cache.get(streamId, decider.category) : undefined;
    const cached = hit ?? (await this.load(streamId, decider));
    const seen = cached.idempotency.get(scopedKey(idem));
    if (seen && seen.requestHash !== idem.requestHash) throw idempotencyKeyReused();
  }

  private async withRetries<T>(streamId: string, attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; i < limits.appendRetriesMax; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError)) throw err;
        this.cache.delete(err.streamId);
        this.cache.delete(streamId);
        this.options.onConflictRetry?.(streamId);
        const ceiling = Math.min(
          limits.appendRetryMaxDelayMs,
          limits.appendRetryBaseDelayMs * 2 ** i,
        );
        await sleep(Math.random() * ceiling);
      }
    }
    throw new ConcurrencyConflictError(streamId);
  }

  /** The cached state without a read when allowed (`verified: false`), else topped up. */
  private async loadFor<S>(
    streamId: string,
    decider: Decider<S, any, any>,
    fresh: boolean,
  ): Promise<{ cached: CachedStream; verified: boolean }> {
    if (!fresh) {
      const hit = this.cache.get(streamId, decider.category);
      if (hit) return { cached: hit, verified: false };
    }
    return { cached: await this.load(streamId, decider), verified: true };
  }

  private async load<S>(streamId: string, decider: Decider<S, any, any>): Promise<CachedStream> {
    const hit = this.cache.get(streamId, decider.category);
    const base: CachedStream = hit ?? {
      category: decider.category,
      revision: null,
      headHash: undefined,
      position: null,
      state: decider.initialState(),
      idempotency: new Map(),
    };
    const from = base.revision === null ? 0n : base.revision + 1n;
    const newer = await this.store.readStream(streamId, { fromRevision: from });
    if (newer.length === 0 && hit) return hit;
    let state = base.state as S;
    // Updated in place: only events that really exist are added, inside the stream's queue.
    const idempotency = base.idempotency;
    for (const e of newer) {
      const event = decider.upcast
        ? decider.upcast({ type: e.type, data: e.data })
        : ({ type: e.type, data: e.data } as DomainEvent);
      state = decider.evolve(state, event);
      rememberKey(idempotency, e);
    }
    const last = newer[newer.length - 1];
    const next: CachedStream = {
      category: decider.category,
      revision: last ? last.revision : base.revision,
      headHash: last ? last.metadata.hash : base.headHash,
      position: last ? last.position : base.position,
      state,
      idempotency,
    };
    this.cache.set(streamId, next);
    return next;
  }

  /**
   * The first answer again: the events that command appended, and the state as it was right
   * after them (folded up to their last revision), never today's state.
   */
  private async replay<S, E extends DomainEvent>(
    streamId: string,
    decider: Decider<S, any, E>,
    fromRevision: bigint,
    toRevision: bigint,
  ): Promise<CommandResult<S, E>> {
    const history = await this.store.readStream(streamId, { maxCount: Number(toRevision + 1n) });
    let state = decider.initialState();
    for (const e of history) {
      const event = decider.upcast
        ? decider.upcast({ type: e.type, data: e.data })
        : ({ type: e.type, data: e.data } as E);
      state = decider.evolve(state, event);
    }
    const recorded = history.filter((e) => e.revision >= fromRevision && e.revision <= toRevision);
    assert(
      recorded.length === Number(toRevision - fromRevision + 1n),
      `replay of ${streamId} found a gap`,
    );
    return {
      streamId,
      state,
      events: recorded.map((e) => ({
        type: e.type,
        data: e.data,
        streamId,
        revision: e.revision,
      })) as AppendedEvent<E>[],
      revision: toRevision,
      // The first answer's position, so a client retrying after a lost answer can still read.
      position: recorded.reduce<Position | null>(
        (p, e) => (p === null || comparePositions(e.position, p) > 0 ? e.position : p),
        null,
      ),
      replayed: true,
    };
  }

  private async appendAndCache<S, E extends DomainEvent>(
    streamId: string,
    decider: Decider<S, any, E>,
    cached: CachedStream,
    events: E[],
    metadata: CommandMetadata,
    extra: StreamAppend[],
    pins: readonly StreamCondition[] = [],
  ): Promise<CommandResult<S, E>> {
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
    const meta = this.eventMetadata(metadata);
    const newEvents: NewEvent[] = events.map((e) => ({
      id: newId(),
      type: e.type,
      data: e.data,
      metadata: meta,
    }));
    const main: StreamAppend = {
      streamId,
      events: newEvents,
      expectedRevision: cached.revision === null ? 'no_stream' : cached.revision,
      ...(cached.headHash ? { expectedHeadHash: cached.headHash } : {}),
    };
    const started = performance.now();
    const results = await inSpan(
      'event-store append',
      { 'kobatela.stream': streamId, 'kobatela.events': events.length },
      () => this.store.appendMulti([...extra, main], pins.length > 0 ? { conditions: pins } : {}),
    );
    this.options.onAppendMs?.(performance.now() - started);
    if (this.options.crashAfterAppend) process.kill(process.pid, 'SIGKILL');
    // The other streams moved too: a cached state of them is stale now (read afresh next time).
    for (const other of extra) this.cache.delete(other.streamId);
    const result = results[results.length - 1]!;
    const first = result.nextRevision - BigInt(events.length) + 1n;
    let state = cached.state as S;
    for (const e of events) state = decider.evolve(state, e);
    const idempotency = cached.idempotency;
    if (metadata.idempotency) {
      idempotency.set(scopedKey(metadata.idempotency), {
        requestHash: metadata.idempotency.requestHash,
        fromRevision: first,
        toRevision: result.nextRevision,
      });
    }
    this.cache.set(streamId, {
      category: decider.category,
      revision: result.nextRevision,
      headHash: result.headHash,
      position: result.position,
      state,
      idempotency,
    });
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
      position: results.reduce(
        (p, r) =>
          p === null || r.position.tx > p.tx || (r.position.tx === p.tx && r.position.pos > p.pos)
            ? r.position
            : p,
        null as Position | null,
      ),
      replayed: false,
    };
  }

  private eventMetadata(m: CommandMetadata): AppendMetadata {
    return eventMetadataOf(m);
  }
}

/** The metadata a command's events carry (for appends made outside `execute`, e.g. markers). */
export function eventMetadataOf(m: CommandMetadata): AppendMetadata {
  assertMetadata(m);
  const traceparent = m.traceparent ?? activeTraceparent();
  return {
    actor: m.actor,
    commandId: m.commandId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    occurredAt: m.now.toISOString(),
    ...(traceparent ? { traceparent } : {}),
    ...(m.idempotency
      ? {
          idempotencyKey: m.idempotency.key,
          idempotencyScope: m.idempotency.scope,
          requestHash: m.idempotency.requestHash,
        }
      : {}),
  };
}

function assertMetadata(m: CommandMetadata): void {
  // No command runs without an actor: this is the pipeline's half of that rule.
  assert(isActor(m?.actor), 'a command needs an actor in its metadata');
  assert(typeof m.commandId === 'string' && m.commandId.length > 0, 'a command needs a commandId');
  assert(
    m.now instanceof Date && !Number.isNaN(m.now.getTime()),
    'a command needs a clock reading',
  );
}

/** A command's `type` when it has one (`OpenTally`), else the decider's category. */
function commandKind(command: unknown, decider: { category: string }): string {
  const type =
    typeof command === 'object' && command !== null
      ? (command as { type?: unknown }).type
      : undefined;
  return typeof type === 'string' ? type : decider.category;
}

function scopedKey(idem: { scope: string; key: string }): string {
  return `${idem.scope}\n${idem.key}`;
}

/** Rebuilds the seen-keys map from event metadata: consecutive events of one command. */
function rememberKey(map: CachedStream['idempotency'], e: RecordedEvent): void {
  const { idempotencyKey, idempotencyScope, requestHash } = e.metadata;
  if (
    typeof idempotencyKey !== 'string' ||
    typeof idempotencyScope !== 'string' ||
    e.type === RESERVATION_CLAIMED
  )
    return;
  const k = scopedKey({ scope: idempotencyScope, key: idempotencyKey });
  const seen = map.get(k);
  if (seen && seen.toRevision === e.revision - 1n) map.set(k, { ...seen, toRevision: e.revision });
  else if (!seen)
    map.set(k, {
      requestHash: String(requestHash),
      fromRevision: e.revision,
      toRevision: e.revision,
    });
}
