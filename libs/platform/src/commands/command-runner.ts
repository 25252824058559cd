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
import { DomainError, assert, copyWith, limits, newId } from '@kob/kernel';
import type { Decider, DomainEvent } from '@kob/domain';
import {
  type EventStore,
  type StreamAppend,
  type StreamCondition,
  WrongExpectedRevisionError,
  claimReservation,
  readReservation,
} from '@kob/event-store';
import { inSpan } from '../observability/tracing';
import { type AppendContext, type Decided, appendAndCache } from './append';
import { assertMetadata, commandKind, eventMetadataOf } from './command-metadata';
import {
  type CommandMetadata,
  type CommandResult,
  type CommandRunnerOptions,
  type ExtraAppends,
  type FactsCommand,
  type IdempotencyContext,
  type PinnedReader,
  type ReservationClaim,
  type StreamCommand,
  ConcurrencyConflictError,
} from './command-types';
import { derivedId, replayClaimed, replayKey, seenKey } from './idempotency';
import { claimAll, claimOnStream } from './reservations';
import { type StreamHold, StreamQueue } from './stream-queue';
import { StreamStateCache } from './stream-state-cache';
import { StreamStates } from './stream-states';

export * from './command-types';
export { eventMetadataOf } from './command-metadata';

/** An attempt on a state that cannot be trusted for this decision: decide again on a fresh one. */
const AGAIN = Symbol('again');

export class CommandRunner {
  private readonly queue: StreamQueue;
  private readonly cache = new StreamStateCache(limits.streamCacheEntriesMax);
  private readonly states: StreamStates;
  private readonly appending: AppendContext;

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandRunnerOptions = {},
  ) {
    this.queue = new StreamQueue({ check: options.checkStreamHolds ?? false });
    this.states = new StreamStates(store, this.cache);
    this.appending = { store, cache: this.cache, options };
  }

  /** A command on an existing (or, with `allowNew`, possibly new) stream named by the caller. */
  async execute<S, C, E extends DomainEvent>(
    params: StreamCommand<S, C, E>,
  ): Promise<CommandResult<S, E>> {
    const kind = () => commandKind(params.command, params.decider);
    return this.counted(kind, () => this.executeOnce(params));
  }

  private async executeOnce<S, C, E extends DomainEvent>(
    params: StreamCommand<S, C, E>,
  ): Promise<CommandResult<S, E>> {
    const { streamId } = params;
    assertMetadata(params.metadata);
    let attempt = 0;
    return this.queue.run(
      streamId,
      () =>
        this.withRetries(streamId, async () => {
          attempt++;
          // First on the cached state as it is (no read: one round trip per command on a hot
          // stream). A decision that appends is verified by the append's expected revision; one
          // that appends nothing or refuses is only trusted on a state just read from the store.
          for (const fresh of [false, true]) {
            const result = await this.decideOnStream(params, attempt, fresh);
            if (result !== AGAIN) return result;
          }
          throw new Error('unreachable: the fresh attempt always returns or throws');
        }),
      params.hold,
    );
  }

  /** One decision of `executeOnce`, on the cached state or (`fresh`) on one just read. */
  private async decideOnStream<S, C, E extends DomainEvent>(
    params: StreamCommand<S, C, E>,
    attempt: number,
    fresh: boolean,
  ): Promise<CommandResult<S, E> | typeof AGAIN> {
    const { streamId, decider, metadata } = params;
    const { cached, verified } = await this.states.loadFor(streamId, decider, fresh);
    const seen = seenKey(cached, metadata.idempotency);
    if (seen) return replayKey<S, E>(this.store, streamId, decider, seen);
    let events: E[];
    try {
      events = decider.decide(params.command, cached.state as S);
    } catch (err) {
      if (verified) throw err;
      return AGAIN;
    }
    if (events.length === 0 && !verified) return AGAIN;
    const claimed =
      events.length > 0
        ? await claimOnStream(this.store, params.claims ?? [], metadata, {
            firstAttempt: attempt === 1,
            verified,
          })
        : { extra: [], claimedNew: [] };
    if (claimed === 'stale') return AGAIN;
    const decided = { streamId, decider, cached, events, metadata };
    const extra = await this.withExtra(claimed.extra, decided, params.extra);
    const result = await appendAndCache(this.appending, decided, extra);
    return claimed.claimedNew.length > 0
      ? copyWith(result, { claimedNew: claimed.claimedNew })
      : result;
  }

  /** `extra`, and the caller's other appends when the decision appends something. */
  private async withExtra<S, E extends DomainEvent>(
    extra: StreamAppend[],
    decided: Decided<S, E>,
    appends: ExtraAppends<S, E> | undefined,
  ): Promise<StreamAppend[]> {
    if (decided.events.length > 0 && appends)
      extra.push(...(await appends(decided.events, decided.cached.state as S, decided.metadata)));
    return extra;
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
     * mandate): commands on that stream queue behind each other, as §5 asks, instead of racing;
     * `{ stream }` when every such command extends one stream (the user-number sequence).
     */
    queueOn?: FactsCommand<S, C, E, undefined>['queueOn'];
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
    assertMetadata(params.metadata);
    const idem = params.metadata.idempotency;
    const id = idem ? derivedId(idem) : newId();
    const target = params.targetStream(id);
    const run = () => this.withRetries(target, () => this.decideDerived(params, id, target));
    const queueOn = params.queueOn ?? 'idem';
    const queue =
      typeof queueOn === 'object'
        ? queueOn.stream
        : idem && queueOn === 'idem'
          ? `idem-${id}`
          : target;
    const result = await this.queue.run(queue, run);
    return { ...result, id };
  }

  /** One attempt of a derived-id command: replay, or decide on the facts and claim. */
  private async decideDerived<S, C, E extends DomainEvent, F>(
    params: FactsCommand<S, C, E, F>,
    id: string,
    target: string,
  ): Promise<CommandResult<S, E>> {
    const { decider, metadata } = params;
    const idem = metadata.idempotency;
    // The target is read before the reservation: both are committed in one transaction, so
    // a free reservation read after the target proves the target was not created under it.
    const cached = await this.states.load(target, decider);
    let extra: StreamAppend[] = [];
    if (idem) {
      const reservation = await readReservation(this.store, `idem-${id}`);
      const first = await replayClaimed(this.store, this.states, reservation, idem, decider);
      if (first) return first;
      extra = [
        claimReservation(
          reservation,
          `${decider.category}:${id}`,
          { target, requestHash: idem.requestHash },
          eventMetadataOf(metadata),
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
    extra.push(...(await claimAll(this.store, params.claims?.(id) ?? [], metadata)));
    const decided = { streamId: target, decider, cached, events, metadata };
    return appendAndCache(
      this.appending,
      decided,
      await this.withExtra(extra, decided, params.extra),
      pins,
    );
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
    const id = derivedId(idem);
    const reservation = await readReservation(this.store, `idem-${id}`);
    const first = await replayClaimed(this.store, this.states, reservation, idem, params.decider);
    return first ? { ...first, id } : null;
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
   * Runs `work` holding the stream's in-process queue: commands it executes on that stream with
   * the hold it is given (`hold` of `execute`) run inside it, and no other command on the stream
   * runs meanwhile. For handlers that must call
   * the outside world (a PSP) between reading a stream and appending to it; the call is outside
   * any retry loop, and the expected revision still guards against other processes.
   */
  exclusive<T>(streamId: string, work: (hold: StreamHold) => Promise<T>): Promise<T> {
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

  /**
   * A stream's state for a decision the caller makes before its command, and what `check` makes
   * of it: first on the cached state with no read (one round trip less per command on a hot
   * stream), and, when `check` throws there or nothing is cached, again on a state read from the
   * store, so a refusal is never made on a stale cache (as `execute` re-reads before trusting a
   * refusal). For checks of facts that stay true once they are (an escrow exists, its parties,
   * its currency): what the caller then appends is verified by its expected revision anyway.
   */
  async readChecked<S, T>(
    streamId: string,
    decider: Decider<S, any, any>,
    check: (state: S) => T,
  ): Promise<{ state: S; checked: T }> {
    const hit = this.cache.get(streamId, decider.category);
    if (hit) {
      try {
        return { state: hit.state as S, checked: check(hit.state as S) };
      } catch {
        // Refused on what this process last knew: read the stream before refusing.
      }
    }
    const state = (await this.load(streamId, decider)).state as S;
    return { state, checked: check(state) };
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
    seenKey(hit ?? (await this.load(streamId, decider)), idem);
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

  private load<S>(streamId: string, decider: Decider<S, any, any>) {
    return this.states.load(streamId, decider);
  }
}
