/**
 * The peer's escrow, written the way Emmett's samples write a domain: a decider over one stream
 * per escrow (`escrow-{id}`), and one inline Pongo projection (`escrow_summaries`, a JSONB
 * document per escrow, written in the append's transaction). It is a measuring tool for
 * `npm run bench -- --peer`, not part of the service: it does the least an escrow deposit must do
 * (the escrow exists, the amount is valid and within the total, the Idempotency-Key is not
 * reused), so that the work ours does beyond it can be stated (README.md beside this file).
 *
 * Amounts are integer cents (the peer has one currency and no Money type); the decider is pure and
 * takes its time from the command, as ours does.
 */
import type { Event, ReadEvent } from '@event-driven-io/emmett';
import { pongoSingleStreamProjection } from '@event-driven-io/emmett-postgresql';

export type EscrowOpened = Event<
  'escrow.opened.v1',
  { escrowId: string; currency: string; totalCents: number; openedAt: string }
>;

export type DepositConfirmed = Event<
  'escrow.deposit_confirmed.v1',
  { escrowId: string; depositId: string; amountCents: number; confirmedAt: string }
>;

export type EscrowEvent = EscrowOpened | DepositConfirmed;

export type EscrowState =
  | { status: 'missing' }
  | {
      status: 'OPEN' | 'FUNDED';
      escrowId: string;
      currency: string;
      totalCents: number;
      depositedCents: number;
      /** depositId (the Idempotency-Key) → amount, so a repeated key answers the first deposit */
      deposits: Record<string, number>;
    };

export const initialState = (): EscrowState => ({ status: 'missing' });

export function evolve(state: EscrowState, event: EscrowEvent): EscrowState {
  switch (event.type) {
    case 'escrow.opened.v1':
      return {
        status: 'OPEN',
        escrowId: event.data.escrowId,
        currency: event.data.currency,
        totalCents: event.data.totalCents,
        depositedCents: 0,
        deposits: {},
      };
    case 'escrow.deposit_confirmed.v1': {
      if (state.status === 'missing') return state;
      const depositedCents = state.depositedCents + event.data.amountCents;
      return {
        ...state,
        status: depositedCents >= state.totalCents ? 'FUNDED' : 'OPEN',
        depositedCents,
        deposits: { ...state.deposits, [event.data.depositId]: event.data.amountCents },
      };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** A refusal with its HTTP status (Emmett's problem-details middleware reads `errorCode`). */
export class EscrowError extends Error {
  constructor(
    readonly errorCode: 404 | 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface Deposit {
  escrowId: string;
  depositId: string;
  amountCents: number;
  now: string;
}

/** The deposit's events: none for a key already used with the same amount (a replay). */
export function decideDeposit(command: Deposit, state: EscrowState): DepositConfirmed[] {
  if (state.status === 'missing') throw new EscrowError(404, 'Escrow not found.');
  const known = state.deposits[command.depositId];
  if (known !== undefined) {
    if (known !== command.amountCents)
      throw new EscrowError(422, 'the Idempotency-Key was used with another amount');
    return [];
  }
  if (state.depositedCents + command.amountCents > state.totalCents)
    throw new EscrowError(409, 'the deposit exceeds the escrow total');
  return [
    {
      type: 'escrow.deposit_confirmed.v1',
      data: {
        escrowId: command.escrowId,
        depositId: command.depositId,
        amountCents: command.amountCents,
        confirmedAt: command.now,
      },
    },
  ];
}

/** A type, not an interface: Pongo's documents need its implicit index signature. */
export type EscrowSummary = {
  escrowId: string;
  status: 'OPEN' | 'FUNDED';
  currency: string;
  totalCents: number;
  depositedCents: number;
  deposits: number;
  updatedAt: string;
};

/** The one inline read model: a document per escrow, in the append's transaction. */
export const escrowSummaries = pongoSingleStreamProjection<EscrowSummary, EscrowEvent>({
  collectionName: 'escrow_summaries',
  canHandle: ['escrow.opened.v1', 'escrow.deposit_confirmed.v1'],
  evolve: (doc: EscrowSummary | null, event: ReadEvent<EscrowEvent>): EscrowSummary | null => {
    if (event.type === 'escrow.opened.v1')
      return {
        escrowId: event.data.escrowId,
        status: 'OPEN',
        currency: event.data.currency,
        totalCents: event.data.totalCents,
        depositedCents: 0,
        deposits: 0,
        updatedAt: event.data.openedAt,
      };
    if (!doc) return null;
    const depositedCents = doc.depositedCents + event.data.amountCents;
    return {
      ...doc,
      status: depositedCents >= doc.totalCents ? 'FUNDED' : 'OPEN',
      depositedCents,
      deposits: doc.deposits + 1,
      updatedAt: event.data.confirmedAt,
    };
  },
});
