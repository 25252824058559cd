/**
 * How the escrow slices find what they act on or show, with the caller's standing checked: the
 * escrow as its stream says (authoritative: roles come from the stream, never from a read model),
 * its read-model row, a milestone's row, a user. Each answers the route's own 404 when the thing
 * does not exist. For auditors, the escrow as its stream stood at a point of its history.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import { type EscrowState, escrowDecider, foldEvents, userDecider } from '@kob/domain';
import { type HistoryCut, type RecordedEvent, historyUpTo } from '@kob/event-store';
import type { Actor } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import type { ReadModels } from '@kob/projections';
import { ApiError } from '../../http/api-error';
import {
  EVENT_STORE,
  type EventStore,
  READ_MODELS,
  type ReadModelsDb,
} from '../../platform/platform.providers';
import { type EscrowRole, checkParty } from './escrow-access';
import { escrowNotFound, milestoneNotFound } from './escrow-errors';
import { type EscrowRead, type PartyRead, type Parties, escrowStateView } from './escrows.view';

/** Parties remembered by this process (their numbers and usernames never change). */
const NUMBERED_PARTIES_MAX = 10_000;

@Injectable()
export class EscrowReader {
  private readonly numbered = new Map<string, PartyRead>();

  constructor(
    private readonly commands: CommandRunner,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** The escrow as its stream says, whoever asks (the caller's standing is the caller's check). */
  async stateOf(id: string): Promise<EscrowState> {
    const { state } = await this.commands.read(`escrow-${id}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    return state;
  }

  /** The escrow as its stream says, with the caller's role checked. */
  async state(actor: Actor, id: string, role?: EscrowRole): Promise<EscrowState> {
    const state = await this.stateOf(id);
    checkParty(actor, state, role);
    return state;
  }

  /**
   * The escrow as its stream stood at `cut`, folded as the command runner and the CLI's
   * `replay` fold it, and the last event folded; null when the escrow had no events by then
   * (whoever asks: the caller's standing is the caller's check).
   */
  async stateAt(
    id: string,
    cut: HistoryCut,
  ): Promise<{ state: EscrowState; last: RecordedEvent } | null> {
    const events = historyUpTo(await this.store.readStream(`escrow-${id}`), cut);
    const state = foldEvents(escrowDecider, events);
    const last = events[events.length - 1];
    return state.exists && last ? { state, last } : null;
  }

  /** The escrow's read-model row, the caller being one of its parties (or staff). */
  async row(actor: Actor, id: string) {
    const row = await this.byId('escrows', id);
    if (!row) throw escrowNotFound();
    checkParty(actor, { clientId: row.client_id, providerId: row.provider_id });
    return row;
  }

  /** A milestone's read-model row (its escrow's parties are the caller's check). */
  async milestoneRow(id: string) {
    const row = await this.byId('milestones', id);
    if (!row) throw milestoneNotFound();
    return row;
  }

  /**
   * The parties of escrows as their answers show them (user number and username), from the users
   * read model: display only, no decision rests on it. One query for a whole page of escrows.
   */
  async parties(rows: readonly { clientId: string; providerId: string }[]): Promise<Parties> {
    const ids = [...new Set(rows.flatMap((r) => [r.clientId, r.providerId]))];
    const parties = new Map<string, PartyRead>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = this.numbered.get(id);
      if (known) parties.set(id, known);
      else missing.push(id);
    }
    if (missing.length === 0) return parties;
    const users = await this.db
      .selectFrom('users')
      .select(['id', 'number', 'username'])
      .where('id', 'in', missing)
      .execute();
    for (const u of users) {
      const party = { number: u.number, username: u.username };
      parties.set(u.id, party);
      // A number is given once and a username never changes: a numbered user is kept for good
      // (bounded), so a command's answer costs no query for parties already seen (issue 16).
      if (u.number !== null) {
        if (this.numbered.size >= NUMBERED_PARTIES_MAX) this.numbered.clear();
        this.numbered.set(u.id, party);
      }
    }
    return parties;
  }

  /** The parties of escrow rows of the read model (`client_id`, `provider_id`). */
  partiesOfRows(rows: readonly { client_id: string; provider_id: string }[]): Promise<Parties> {
    return this.parties(rows.map((r) => ({ clientId: r.client_id, providerId: r.provider_id })));
  }

  /**
   * The escrow's answer from its folded stream, with its parties' numbers. A command's answer
   * comes after its append (money may have moved): the numbers are for display, so a read model
   * that cannot answer leaves them null rather than turn a done command into a 500.
   */
  async view(state: EscrowState): Promise<EscrowRead> {
    const parties = await this.parties([state]).catch(() => new Map() as Parties);
    return escrowStateView(state, parties);
  }

  /** A user as its stream says (404 USER_NOT_FOUND when there is none). */
  async user(id: string) {
    const { state } = await this.commands.read(`user-${id}`, userDecider);
    if (!state.exists) throw new ApiError(404, 'USER_NOT_FOUND', `User ${id} not found.`);
    return state;
  }

  private byId<T extends 'escrows' | 'milestones'>(table: T, id: string) {
    return this.db
      .selectFrom(table as 'escrows' | 'milestones')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst() as Promise<Selectable<ReadModels[T]> | undefined>;
  }
}
