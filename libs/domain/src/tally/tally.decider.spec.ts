/** The probe aggregate's rules, as given/when/then specs. */
import { deciderSpec } from '../testing/decider-spec';
import { tallyDecider } from './tally.decider';
import type { TallyEvent } from './tally.events';

const spec = deciderSpec(tallyDecider);
const opened: TallyEvent = {
  type: 'tally.opened.v1',
  data: { tallyId: 't1', currency: 'USD', openedAt: '2026-01-01T00:00:00.000Z' },
};

describe('tally decider', () => {
  it('opens once', () => {
    spec
      .given([])
      .when({ type: 'OpenTally', tallyId: 't1', currency: 'USD', now: '2026-01-01T00:00:00.000Z' })
      .then([opened]);
    spec
      .given([opened])
      .when({ type: 'OpenTally', tallyId: 't1', currency: 'USD', now: '2026-01-01T00:00:00.000Z' })
      .thenError('TALLY_EXISTS');
  });

  it('adds exact decimal amounts and keeps the running total as a string', () => {
    const added: TallyEvent = {
      type: 'tally.added.v1',
      data: { tallyId: 't1', amount: '0.10', total: '0.10' },
    };
    spec
      .given([opened])
      .when({ type: 'AddToTally', tallyId: 't1', amount: '0.1', scale: 2, limit: null })
      .then([added]);
    spec
      .given([opened, added])
      .when({ type: 'AddToTally', tallyId: 't1', amount: '0.20', scale: 2, limit: null })
      .then([{ type: 'tally.added.v1', data: { tallyId: 't1', amount: '0.20', total: '0.30' } }]);
  });

  it('refuses unknown tallies, non-positive amounts and totals above the limit', () => {
    spec
      .given([])
      .when({ type: 'AddToTally', tallyId: 't1', amount: '1.00', scale: 2, limit: null })
      .thenError('TALLY_NOT_FOUND');
    spec
      .given([opened])
      .when({ type: 'AddToTally', tallyId: 't1', amount: '0.00', scale: 2, limit: null })
      .thenError('VALIDATION_ERROR');
    spec
      .given([opened])
      .when({ type: 'AddToTally', tallyId: 't1', amount: '5.01', scale: 2, limit: '5.00' })
      .thenError('TALLY_LIMIT_EXCEEDED');
  });
});
