/** What the projection runner runs (a projector) and what it reports (statuses, parked events). */
import type { Transaction } from 'kysely';
import type { Position, RecordedEvent } from '@kob/event-store';
import type { PlatformTables } from '../platform.tables';

/** What the runner knows of a projector besides how it applies: what checkpoints and waits need. */
export interface ProjectorHead {
  readonly name: string;
  readonly version: number;
  /** Tables this projector owns: rebuild recreates them in a fresh schema, then switches. */
  readonly tables: readonly string[];
  /**
   * True for a projector whose failure means money no longer adds up (the ledger): it halts on an
   * event it cannot apply rather than parking it and going on with a wrong balance.
   */
  readonly guardsMoney?: boolean;
  /**
   * The stream categories (`escrow` for `escrow-{id}`) whose events it reads, when it reads only
   * some: a wait for a command that wrote none of them does not wait for it while it is halted.
   */
  readonly streamCategories?: readonly string[];
  /**
   * The columns it finds existing rows by through an index that is not unique, per table it
   * owns (`{ ledger_entries: ['escrow_id'] }`): a rebuild keeps the indexes that lead with them
   * on its scratch tables. It builds the others only once history is applied (rebuild.ts), so a
   * projector that reads through one it does not name here still rebuilds right, only slower.
   */
  readonly lookupColumns?: Readonly<Record<string, readonly string[]>>;
}

/** A projector writing the read models `DB` (the tables of `Kysely<DB>`). */
export interface Projector<DB> extends ProjectorHead {
  /** Applies a batch in the runner's transaction (search_path points at the target schema). */
  apply(trx: Transaction<DB>, events: readonly RecordedEvent[]): Promise<void>;
}

/**
 * `projector.apply` in a transaction of the runner: the one place the runner's transaction, typed
 * by its own tables, is handed to a projector as one on the projector's read models `DB`. Sound
 * because the runner opens every transaction on the `Kysely<DB & PlatformTables>` it was built
 * with, together with these very projectors (`ProjectionRunner`'s constructor ties the two), and
 * narrowed it to `PlatformTables` (`platformTablesOf`) for its own statements only; Kysely's
 * schema parameter is invariant, so the types cannot say so by themselves.
 */
export function applyIn<DB>(
  trx: Transaction<PlatformTables>,
  projector: Projector<DB>,
  events: readonly RecordedEvent[],
): Promise<void> {
  return projector.apply(trx as unknown as Transaction<DB>, events);
}

/** An event a projector could not apply, and why. */
export interface ParkedEvent {
  event: RecordedEvent;
  reason: string;
}

/** A parked event as recorded (`projection_parked_events`). */
export interface ParkedEventRow {
  projector: string;
  eventId: string;
  streamId: string;
  revision: bigint;
  type: string;
  position: Position;
  error: string;
  attempts: number;
  parkedAt: Date;
  replayedAt: Date | null;
}

export interface ProjectorStatus {
  name: string;
  version: number;
  checkpoint: Position;
  status: 'running' | 'halted';
  haltedReason: string | null;
  eventsApplied: bigint;
  /** The last infrastructure error this process is retrying after, if any. */
  retrying: string | null;
  /** Events parked and not replayed yet. */
  parked: number;
}

/**
 * Why listeners hear of a projector: this process `applied` these events; or, with no events
 * (anything may have changed), it `rebuilt` the read model, or found that another runner had
 * `moved` it on (another replica or worker projects into the same database).
 */
export type AppliedCause = 'applied' | 'rebuilt' | 'moved';
export type AppliedListener = (
  projector: string,
  events: readonly RecordedEvent[],
  cause: AppliedCause,
) => void;

export interface RunnerOptions {
  batchSize?: number;
  /**
   * Whether a round's writes whose answers nobody reads go out without waiting (deferred-writes.ts;
   * default true). Off, each is waited for where its projector makes it: slower, and each
   * projector's time then includes its own writes' (what the bench's per-projector cost reads).
   */
  deferWrites?: boolean;
  onBatch?: (projector: string, events: number, ms: number) => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Called when a projector halts (the ledger's halt raises an alert); must be idempotent per place. */
  onHalt?: (projector: string, at: Position, reason: string) => Promise<void> | void;
  /**
   * Called for each event a projector parks, before the parking commits (so a crash in between
   * cannot lose the report; the same event reported again must change nothing).
   */
  onPark?: (projector: string, parked: ParkedEvent) => Promise<void> | void;
}
