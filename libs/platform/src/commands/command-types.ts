/** The shapes a command and its answer take in the command runner, and the runner's errors. */
import { type Actor, DomainError } from '@kob/kernel';
import type { Decider, DomainEvent } from '@kob/domain';
import type { Position, StreamAppend } from '@kob/event-store';
import type { StreamHold } from './stream-queue';

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
  /**
   * Follow each stream's holder to check the holds passed by hand (stream-queue.ts): on under
   * APP_ENV=test, where it turns Node's promise hooks on; off in service.
   */
  checkStreamHolds?: boolean;
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
  /**
   * The in-process queue the command waits in: its idempotency reservation's (the default), its
   * target's, or (`{ stream }`) another stream every such command extends (the user-number
   * sequence), so that they take turns instead of conflicting there.
   */
  queueOn?: 'idem' | 'target' | { stream: string };
  /** The command's kind, for metrics and traces (else the decider's category). */
  kind?: string;
}

/** A command on an existing (or, with `allowNew`, possibly new) stream named by the caller. */
export interface StreamCommand<S, C, E extends DomainEvent> {
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
  /**
   * The stream's hold when the caller runs inside `CommandRunner.exclusive` for this very stream
   * (the command then runs at once instead of queueing behind its caller).
   */
  hold?: StreamHold;
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

/**
 * The key's reservation names a target whose events are not there (yet): its first request is
 * still being written, or its writer died between the two appends on a store without
 * multi-stream transactions (the recovery job then releases the claim). Retryable: 409.
 */
export function idempotencyInProgress(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_KEY_IN_PROGRESS',
    'a request with this Idempotency-Key is still being processed: retry it shortly',
    'conflict',
  );
}

export function idempotencyKeyReused(): DomainError {
  return new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request',
    'invalid',
  );
}
