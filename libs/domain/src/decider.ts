/**
 * The shape of every aggregate (emmett style): pure functions, no I/O, no clock, no crypto.
 * Time and ids arrive inside the command; `evolve` never throws; `decide` throws DomainErrors.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<State, Command, Event extends DomainEvent> {
  /** Stream category, e.g. `escrow` for `escrow-{id}`. */
  readonly category: string;
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
  /** Maps stored older event versions to the current ones (identity when there are none). */
  upcast?(event: DomainEvent): Event;
}
