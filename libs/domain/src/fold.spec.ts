/** The one fold every reader uses: upcast, evolve, and skip a store's read pins. */
import { READ_PIN_EVENT } from '@kob/kernel';
import type { Decider } from './decider';
import { foldEvents } from './fold';

type Counted = { type: 'counted.v1'; data: { n: number } };

/** A decider that refuses any event it does not know, as a strict evolve would. */
const strict: Decider<number, never, Counted> = {
  category: 'strict',
  initialState: () => 0,
  evolve(state, event) {
    if (event.type !== 'counted.v1') throw new Error(`unknown event ${String(event.type)}`);
    return state + event.data.n;
  },
  decide: () => [],
};

describe('foldEvents', () => {
  it('evolves every event but a read pin, which carries no fact', () => {
    const pin = { type: READ_PIN_EVENT, data: { decision: { streamId: 'x-1', eventId: 'e' } } };
    const events = [
      { type: 'counted.v1', data: { n: 2 } },
      pin,
      { type: 'counted.v1', data: { n: 3 } },
    ];
    expect(foldEvents(strict, events)).toBe(5);
    expect(() => foldEvents(strict, [{ type: 'other.v1', data: {} }])).toThrow('unknown event');
  });
});
