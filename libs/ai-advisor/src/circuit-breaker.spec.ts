/**
 * The advisor's breaker with an injected clock: opens at failuresMax consecutive failures, refuses
 * while open, half-opens after the cooldown for one trial at a time, closes on success, reopens on
 * a failed trial; any success resets the count (B4: the reference never half-opened).
 */
import { CircuitBreaker } from './circuit-breaker';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

function breaker() {
  const clock = { ms: T0 };
  return {
    clock,
    b: new CircuitBreaker({ failuresMax: 2, cooldownMs: 1_000, now: () => clock.ms }),
  };
}

describe('CircuitBreaker', () => {
  it('opens at failuresMax consecutive failures; a success in between resets the count', () => {
    const { b } = breaker();
    b.failure(b.acquire());
    b.success();
    b.failure(b.acquire());
    expect(b.snapshot()).toEqual({ state: 'closed', consecutive_failures: 1, opened_at: null });
    const permit = b.acquire();
    b.failure(permit);
    expect(b.snapshot()).toEqual({
      state: 'open',
      consecutive_failures: 2,
      opened_at: '2026-11-27T10:00:00.000Z',
    });
    expect(b.mayRetry(permit)).toBe(false);
    expect(b.acquire()).toBe('refused');
  });

  it('half-opens after the cooldown for one trial at a time; success closes it', () => {
    const { b, clock } = breaker();
    b.failure(b.acquire());
    b.failure(b.acquire());
    clock.ms = T0 + 999;
    expect(b.acquire()).toBe('refused');
    clock.ms = T0 + 1_000;
    expect(b.state()).toBe('half_open');
    const trial = b.acquire();
    expect(trial).toBe('trial');
    expect(b.mayRetry(trial)).toBe(false);
    expect(b.acquire()).toBe('refused');
    b.success();
    expect(b.snapshot()).toEqual({ state: 'closed', consecutive_failures: 0, opened_at: null });
    expect(b.acquire()).toBe('call');
  });

  it('a failed trial opens it again for a whole cooldown; a released trial frees the slot', () => {
    const { b, clock } = breaker();
    b.failure(b.acquire());
    b.failure(b.acquire());
    clock.ms = T0 + 1_500;
    const trial = b.acquire();
    b.failure(trial);
    expect(b.snapshot()).toEqual({
      state: 'open',
      consecutive_failures: 3,
      opened_at: '2026-11-27T10:00:01.500Z',
    });
    clock.ms = T0 + 2_499;
    expect(b.acquire()).toBe('refused');
    clock.ms = T0 + 2_500;
    b.release(b.acquire());
    expect(b.acquire()).toBe('trial');
  });
});
