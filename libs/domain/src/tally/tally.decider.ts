/**
 * Tally decider: open once, then add positive amounts; a total may not pass the limit.
 * Amounts are decimal strings at the tally's scale (Money from the kernel).
 */
import { DomainError, Money, assertNever } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertFound } from '../decider-kit';
import type { TallyCommand } from './tally.commands';
import type { TallyEvent } from './tally.events';

export interface TallyState {
  exists: boolean;
  currency: string;
  total: string;
  additions: number;
}

export const tallyDecider: Decider<TallyState, TallyCommand, TallyEvent> = {
  category: 'tally',
  initialState: () => ({ exists: false, currency: '', total: '0', additions: 0 }),
  evolve(state, event) {
    switch (event.type) {
      case 'tally.opened.v1':
        return { ...state, exists: true, currency: event.data.currency, total: '0' };
      case 'tally.added.v1':
        return { ...state, total: event.data.total, additions: state.additions + 1 };
      default:
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'OpenTally':
        if (state.exists) throw new DomainError('TALLY_EXISTS', 'tally already open', 'conflict');
        return [
          {
            type: 'tally.opened.v1',
            data: { tallyId: command.tallyId, currency: command.currency, openedAt: command.now },
          },
        ];
      case 'AddToTally': {
        assertFound(state, 'TALLY_NOT_FOUND', 'tally');
        const amount = Money.of(command.amount, state.currency, command.scale);
        if (!amount.isPositive()) {
          throw new DomainError('VALIDATION_ERROR', 'amount must be positive', 'invalid');
        }
        const total = Money.of(state.total, state.currency, command.scale).plus(amount);
        if (
          command.limit !== null &&
          total.gt(Money.of(command.limit, state.currency, command.scale))
        ) {
          throw new DomainError(
            'TALLY_LIMIT_EXCEEDED',
            `total would pass ${command.limit}`,
            'conflict',
          );
        }
        return [
          {
            type: 'tally.added.v1',
            data: { tallyId: command.tallyId, amount: amount.toString(), total: total.toString() },
          },
        ];
      }
      default:
        return assertNever(command, 'tally command');
    }
  },
};
