/**
 * The AI advisor's circuit breaker (KOBATELA-SPEC §4.7, with B4 fixed). In memory, per process.
 *
 * It counts consecutive failed *attempts* (every HTTP attempt, retries included, and replies that
 * break the output contract). At `failuresMax` it opens: calls are refused without reaching the
 * provider. The reference then stayed open until a restart (B4); here, once `cooldownMs` has passed
 * since it opened, it is half-open: exactly one trial call is let through (concurrent calls are
 * still refused). The trial's success closes it; its failure opens it again for a new cooldown.
 * Any success resets the count and closes it.
 *
 * Time comes from the injected clock, so tests move it instead of sleeping.
 */
import { assert } from '@kob/kernel';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a caller may do now: call normally, make the one half-open trial, or not call. */
export type BreakerPermit = 'call' | 'trial' | 'refused';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutive_failures: number;
  /** When it last opened (ISO), null while closed. */
  opened_at: string | null;
}

export interface CircuitBreakerOptions {
  failuresMax: number;
  cooldownMs: number;
  now: () => number;
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAtMs: number | null = null;
  private trialInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions) {
    const { failuresMax, cooldownMs } = options;
    assert(Number.isInteger(failuresMax) && failuresMax >= 1, 'breaker failuresMax >= 1');
    assert(Number.isFinite(cooldownMs) && cooldownMs >= 0, 'breaker cooldownMs is >= 0');
  }

  state(): BreakerState {
    if (this.openedAtMs === null) return 'closed';
    return this.options.now() - this.openedAtMs >= this.options.cooldownMs ? 'half_open' : 'open';
  }

  /** Asks to make a call. A `trial` permit must be followed by `success()` or `failure()`. */
  acquire(): BreakerPermit {
    const state = this.state();
    if (state === 'closed') return 'call';
    if (state === 'open' || this.trialInFlight) return 'refused';
    this.trialInFlight = true;
    return 'trial';
  }

  /** Whether a call that already holds a permit may make another attempt (a retry). */
  mayRetry(permit: BreakerPermit): boolean {
    return permit === 'call' && this.state() === 'closed';
  }

  success(): void {
    this.consecutiveFailures = 0;
    this.openedAtMs = null;
    this.trialInFlight = false;
  }

  failure(permit: BreakerPermit): void {
    assert(permit !== 'refused', 'a refused call makes no attempt to fail');
    this.consecutiveFailures += 1;
    if (permit === 'trial') {
      // The trial failed: open again, for a whole new cooldown.
      this.openedAtMs = this.options.now();
      this.trialInFlight = false;
    } else if (this.openedAtMs === null && this.consecutiveFailures >= this.options.failuresMax) {
      this.openedAtMs = this.options.now();
    }
  }

  /** Gives a trial permit back without an outcome (the call ended before any attempt). */
  release(permit: BreakerPermit): void {
    if (permit === 'trial') this.trialInFlight = false;
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.state(),
      consecutive_failures: this.consecutiveFailures,
      opened_at: this.openedAtMs === null ? null : new Date(this.openedAtMs).toISOString(),
    };
  }
}
