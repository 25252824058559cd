/**
 * The user-number sequence folded: how many numbers it has given. It takes no commands: each
 * number is appended beside a user's registration (or numbering), whose command decides it.
 */
import { DomainError } from '@kob/kernel';
import type { Decider } from '../decider';
import type { UserNumberEvent } from './user-number.events';

export interface UserNumberState {
  /** the last number given (0: none yet); the next registration takes `last + 1` */
  last: number;
}

export const userNumberDecider: Decider<UserNumberState, never, UserNumberEvent> = {
  category: 'usernumber',
  initialState: () => ({ last: 0 }),
  evolve(state, event) {
    return event.type === 'usernumber.assigned.v1' ? { last: event.data.number } : state;
  },
  decide() {
    throw new DomainError(
      'VALIDATION_ERROR',
      'the user-number sequence takes no commands',
      'invalid',
    );
  },
};
