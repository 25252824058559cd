/** Readers of one environment variable each: a default when unset, a ConfigError when invalid. */
import { isIP } from 'node:net';
import { ConfigError, type RateLimitConfig } from './config-types';

export type Env = Record<string, string | undefined>;

export function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function bool(env: Env, name: string, dflt: boolean): boolean {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  const lower = v.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `must be true or false, got "${v}"`);
}

export function decimalText(env: Env, name: string, dflt: string): string {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  if (!/^\d{1,9}(\.\d{1,8})?$/.test(v))
    throw new ConfigError(name, `must be a decimal number >= 0 such as "0.01", got "${v}"`);
  return v;
}

export function oneOf<T extends string>(env: Env, name: string, dflt: T, allowed: readonly T[]): T {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  return v as T;
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `TRUST_PROXY`: comma-separated addresses, CIDR ranges or proxy-addr names; never "trust all". */
export function trustProxy(env: Env): string[] {
  const entries = (raw(env, 'TRUST_PROXY') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (TRUST_PROXY_NAMES.includes(entry)) continue;
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    // A /0 range is every address: as bad as trusting everyone.
    const bitsOk =
      bits === undefined ||
      (/^\d{1,3}$/.test(bits) && Number(bits) >= 1 && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || rest.length > 0) {
      throw new ConfigError(
        'TRUST_PROXY',
        `has an invalid entry "${entry}": give proxy addresses or CIDR ranges (e.g. 10.0.0.0/8), or ` +
          `${TRUST_PROXY_NAMES.join(', ')} (trusting every address would let any client choose its own IP)`,
      );
    }
  }
  return entries;
}

const RATE_LIMIT_PER_MINUTE_MAX = 100_000_000;

/**
 * Defaults are production budgets far above what one honest client needs (20 requests a second
 * per key, sustained) and well below what one client could use to starve the others; failed
 * authentication and the webhook get much smaller ones. Tests and benchmarks that fire thousands
 * of requests with one key raise them explicitly.
 */
export function rateLimits(env: Env): RateLimitConfig {
  const perMinute = (name: string, dflt: number) =>
    int(env, name, dflt, 1, RATE_LIMIT_PER_MINUTE_MAX);
  return {
    enabled: bool(env, 'RATE_LIMIT_ENABLED', true),
    perKeyPerMinute: perMinute('RATE_LIMIT_PER_KEY_PER_MINUTE', 1200),
    perIpPerMinute: perMinute('RATE_LIMIT_PER_IP_PER_MINUTE', 2400),
    authFailuresPerIpPerMinute: perMinute('RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE', 20),
    webhookPerIpPerMinute: perMinute('RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE', 300),
  };
}
