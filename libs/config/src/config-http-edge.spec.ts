/**
 * The HTTP-edge variables of the configuration: rate limits (production defaults, validated
 * overrides) and TRUST_PROXY (proxy addresses and ranges only, never "trust everyone").
 */
import { ConfigError, loadConfig } from './config';

const load = (env: Record<string, string>) => loadConfig({ APP_ENV: 'test', ...env });

describe('rate limits', () => {
  it('default to production budgets, on', () => {
    expect(load({}).rateLimits).toEqual({
      enabled: true,
      perKeyPerMinute: 1200,
      perIpPerMinute: 2400,
      authFailuresPerIpPerMinute: 20,
      webhookPerIpPerMinute: 300,
    });
  });

  it('are stricter on failed authentication and the webhook than per address', () => {
    const { rateLimits: r } = load({});
    expect(r.authFailuresPerIpPerMinute).toBeLessThan(r.webhookPerIpPerMinute);
    expect(r.webhookPerIpPerMinute).toBeLessThan(r.perIpPerMinute);
    expect(r.perKeyPerMinute).toBeLessThanOrEqual(r.perIpPerMinute);
  });

  it('take whole numbers from the environment', () => {
    expect(
      load({
        RATE_LIMIT_ENABLED: 'false',
        RATE_LIMIT_PER_KEY_PER_MINUTE: '10',
        RATE_LIMIT_PER_IP_PER_MINUTE: '20',
        RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '3',
        RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE: '4',
      }).rateLimits,
    ).toEqual({
      enabled: false,
      perKeyPerMinute: 10,
      perIpPerMinute: 20,
      authFailuresPerIpPerMinute: 3,
      webhookPerIpPerMinute: 4,
    });
  });

  it.each([
    ['RATE_LIMIT_PER_KEY_PER_MINUTE', '0'],
    ['RATE_LIMIT_PER_IP_PER_MINUTE', '-1'],
    ['RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE', '2.5'],
    ['RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE', 'lots'],
    ['RATE_LIMIT_PER_KEY_PER_MINUTE', '100000001'],
    ['RATE_LIMIT_ENABLED', 'maybe'],
  ])('refuse %s=%s naming the variable', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(name);
  });
});

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(load({}).trustProxy).toEqual([]);
  });

  it('takes addresses, CIDR ranges and the proxy-addr names', () => {
    expect(
      load({ TRUST_PROXY: '10.0.0.1, 10.0.0.0/8,fd00::/8, ::1, loopback,uniquelocal' }).trustProxy,
    ).toEqual(['10.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1', 'loopback', 'uniquelocal']);
  });

  it.each([
    '*',
    'true',
    '0.0.0.0/0',
    '::/0',
    '0.0.0.0/33',
    '10.0.0.0/8/1',
    'proxy.example.org',
    '10.0.0',
    'fd00::/129',
  ])('refuses %s naming the variable', (value) => {
    expect(() => load({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });
});
