/**
 * What the deciders share, so each one states only its rules: the two guards of a stream that
 * holds one record (created once; nothing else before it exists), a `decide` made of one function
 * per command type (the compiler asks for every type, as the `never` default of a switch did), and
 * the whole decider of a record written once by one event and never changed afterwards.
 */
import { DomainError, assertNever } from '@kob/kernel';
import type { Decider, DomainEvent } from './decider';

/** The state of a stream whose first event creates its record. */
export interface Existence {
  exists: boolean;
}

/** A second creation is a conflict: `code`, "this {what} already exists". */
export function assertNew(state: Existence, code: string, what: string): void {
  if (state.exists) throw new DomainError(code, `this ${what} already exists`, 'conflict');
}

/** Every command but the creation needs the record: `code`, "no such {what}" (404). */
export function assertFound(state: Existence, code: string, what: string): void {
  if (!state.exists) throw new DomainError(code, `no such ${what}`, 'not_found');
}

/** One decide function per command type. */
export type CommandDeciders<Command extends { type: string }, State, Event> = {
  [Type in Command['type']]: (command: Extract<Command, { type: Type }>, state: State) => Event[];
};

/**
 * A `decide` that hands each command to the function of its type; a command of no known type
 * (only an untyped caller can send one) fails as the switch's `assertNever` default did.
 */
export function decideByType<Command extends { type: string }, State, Event>(
  deciders: CommandDeciders<Command, State, Event>,
  what: string,
): (command: Command, state: State) => Event[] {
  return (command, state) => {
    if (!Object.hasOwn(deciders, command.type)) return assertNever(command as never, what);
    const decide = deciders[command.type as Command['type']] as (c: Command, s: State) => Event[];
    return decide(command, state);
  };
}

/**
 * A stream that holds one record, written once by its one event and never changed (a catalogue
 * entry, a completed transaction): the state is the event's data plus `exists`, and a second
 * creation is a conflict (`conflict`: the code and what the record is called). `create` applies
 * the rules to the command and returns the event.
 */
export function recordDecider<
  State extends Existence,
  Command,
  Event extends DomainEvent<string, Omit<State, 'exists'>>,
>(spec: {
  category: string;
  initialState: () => State;
  conflict: { code: string; what: string };
  create(command: Command): Event;
}): Decider<State, Command, Event> {
  return {
    category: spec.category,
    initialState: spec.initialState,
    evolve: (state, event) => ({ ...state, ...event.data, exists: true }),
    decide(command, state) {
      assertNew(state, spec.conflict.code, spec.conflict.what);
      return [spec.create(command)];
    },
  };
}
