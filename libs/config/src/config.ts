/**
 * Configuration from the environment, validated once at start. A bad value stops the process
 * with a message naming the variable (ConfigError); nothing reads process.env elsewhere.
 * Names and defaults: API-RULES.md §6 and the platform issue. Units are in the names.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseCurrencies } from '@kob/kernel';

export type AppEnv = 'production' | 'development' | 'test';
export type ProjectionsMode = 'inline' | 'worker';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  appEnv: AppEnv;
  port: number;
  host: string;
  databaseUrl: string | null;
  /**
   * The owner role's URL for migrations with an external database (DATABASE_URL is then the
   * service role). Null: migrations run with DATABASE_URL (one role for both).
   */
  databaseOwnerUrl: string | null;
  dataDir: string;
  /** Empty when this process handles no API keys (`loadConfig(env, { apiKeys: false })`). */
  apiKeySecret: string;
  apiKeySecretSource: 'env' | 'data_dir' | 'ephemeral' | 'not_needed';
  bootstrapAdminApiKey: string | null;
  devApiKey: string | null;
  logLevel: LogLevel;
  projectionsMode: ProjectionsMode;
  projectionBatchSize: number;
  currencies: Map<string, number>;
  corsAllowOrigins: string[];
  httpBodyLimitBytes: number;
  inlineProjectionWaitMs: number;
  schedulerEnabled: boolean;
  schedulerMandateExpiryIntervalMs: number;
  schedulerDeadlineIntervalMs: number;
  schedulerPaymentRecoveryIntervalMs: number;
  schedulerEventHorizonIntervalMs: number;
  /** An open transaction holding back the `$all` horizon longer than this: degraded + alert. */
  eventHorizonHeldMaxMs: number;
  pspWebhookSecret: string | null;
  pspWebhookSecretNext: string | null;
  pspWebhookMaxDriftSeconds: number;
  pspProvider: 'simulator';
  /**
   * Where the PSP simulator keeps its memory of idempotency keys (JSON lines), so a collection or
   * transfer it made is found again after a crash or restart, by any process naming the file.
   * Null: in memory only (the embedded server defaults it to DATA_DIR/psp-simulator.jsonl).
   */
  pspSimulatorJournal: string | null;
  proofFileMaxBytes: number;
  proofGeofenceToleranceM: number;
  proofMaxAgeMinutes: number;
  proofFutureSkewMinutes: number;
  proofPhashMaxDistance: number;
  proofTrustClientMetadata: boolean;
  invoiceOcrEnabled: boolean;
  invoiceOcrTimeoutMs: number;
  /** Absolute tolerance (currency units) of the document checks' amount match, e.g. "0.01". */
  invoiceAmountTolerance: string;
  aiProofAdvisorEnabled: boolean;
  /** Send the EXIF-stripped, downscaled preview of a photo to the AI advisor. */
  aiProofSendImage: boolean;
  /**
   * Cache verified API-key rows in this process until its projections apply a key or user
   * change. Only for a single API process running the projections (inline): with several, a
   * revocation applied by one reaches another's cache after its next projection round.
   */
  apiKeyCache: boolean;
  aiProofAdvisorModel: string;
  aiProofTimeoutMs: number;
  aiBreakerFailuresMax: number;
  aiBreakerCooldownMs: number;
  anthropicApiKey: string | null;
  anthropicBaseUrl: string | null;
  /**
   * The reverse proxies whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed (addresses,
   * CIDR ranges, or proxy-addr's `loopback`, `linklocal`, `uniquelocal`); empty: none, the
   * socket's peer is the client and only a TLS socket is https.
   */
  trustProxy: string[];
  rateLimits: RateLimitConfig;
}

/** Per-process request budgets (see apps/api/src/http/rate-limits.ts). */
export interface RateLimitConfig {
  enabled: boolean;
  /** Authenticated requests per API key. */
  perKeyPerMinute: number;
  /** Requests per client address, authenticated or not (the webhook has its own budget). */
  perIpPerMinute: number;
  /** 401 answers per client address before its requests are refused before any key check. */
  authFailuresPerIpPerMinute: number;
  /** `POST /psp/webhook` requests per client address. */
  webhookPerIpPerMinute: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, dflt: boolean): boolean {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  const lower = v.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `must be true or false, got "${v}"`);
}

function decimalText(env: Env, name: string, dflt: string): string {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  if (!/^\d{1,9}(\.\d{1,8})?$/.test(v))
    throw new ConfigError(name, `must be a decimal number >= 0 such as "0.01", got "${v}"`);
  return v;
}

function oneOf<T extends string>(env: Env, name: string, dflt: T, allowed: readonly T[]): T {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  return v as T;
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `TRUST_PROXY`: comma-separated addresses, CIDR ranges or proxy-addr names; never "trust all". */
function trustProxy(env: Env): string[] {
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
function rateLimits(env: Env): RateLimitConfig {
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

export const API_KEY_FORMAT = /^koba_[0-9a-f]{6}\.[A-Za-z0-9_-]{32,256}$/;
const SECRET_MIN_LENGTH = 32;

export interface LoadOptions {
  /**
   * Whether this process verifies or issues API keys (the API). The CLI and the projector worker
   * do not: they neither require API_KEY_SECRET (also in production) nor generate one.
   */
  apiKeys?: boolean;
}

export function loadConfig(env: Env = process.env, options: LoadOptions = {}): AppConfig {
  const appEnv = oneOf<AppEnv>(env, 'APP_ENV', 'production', ['production', 'development', 'test']);
  const dataDir = path.resolve(raw(env, 'DATA_DIR') ?? './.data');
  const databaseUrl = raw(env, 'DATABASE_URL') ?? null;
  if (databaseUrl && !POSTGRES_URL.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  const databaseOwnerUrl = ownerUrl(env, databaseUrl);
  let currencies: Map<string, number>;
  try {
    currencies = parseCurrencies(raw(env, 'CURRENCIES') ?? 'USD:2,EUR:2');
  } catch (err) {
    throw new ConfigError('CURRENCIES', (err as Error).message);
  }
  const corsAllowOrigins = (raw(env, 'CORS_ALLOW_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of corsAllowOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError('CORS_ALLOW_ORIGINS', `has an invalid origin "${origin}"`);
    }
  }
  const bootstrapAdminApiKey = raw(env, 'BOOTSTRAP_ADMIN_API_KEY') ?? null;
  if (bootstrapAdminApiKey && !API_KEY_FORMAT.test(bootstrapAdminApiKey)) {
    throw new ConfigError(
      'BOOTSTRAP_ADMIN_API_KEY',
      'must match the key format koba_<6 hex>.<at least 32 url-safe characters>',
    );
  }
  const anthropicBaseUrl = raw(env, 'ANTHROPIC_BASE_URL') ?? null;
  if (anthropicBaseUrl && !/^https?:\/\//.test(anthropicBaseUrl)) {
    throw new ConfigError('ANTHROPIC_BASE_URL', 'must be an http(s) URL');
  }
  const config: Omit<AppConfig, 'apiKeySecret' | 'apiKeySecretSource'> = {
    appEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: raw(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    databaseOwnerUrl,
    dataDir,
    bootstrapAdminApiKey,
    devApiKey: devApiKey(env),
    logLevel: oneOf<LogLevel>(env, 'LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
    projectionsMode: oneOf<ProjectionsMode>(env, 'PROJECTIONS_MODE', 'inline', [
      'inline',
      'worker',
    ]),
    projectionBatchSize: int(env, 'PROJECTION_BATCH_SIZE', 500, 1, 500),
    currencies,
    corsAllowOrigins,
    httpBodyLimitBytes: int(env, 'HTTP_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    inlineProjectionWaitMs: int(env, 'INLINE_PROJECTION_WAIT_MS', 2000, 0, 60_000),
    schedulerEnabled: bool(env, 'SCHEDULER_ENABLED', true),
    schedulerMandateExpiryIntervalMs: int(
      env,
      'SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS',
      3_600_000,
      1000,
      86_400_000,
    ),
    schedulerDeadlineIntervalMs: int(
      env,
      'SCHEDULER_DEADLINE_INTERVAL_MS',
      60_000,
      1000,
      86_400_000,
    ),
    schedulerPaymentRecoveryIntervalMs: int(
      env,
      'SCHEDULER_PAYMENT_RECOVERY_INTERVAL_MS',
      60_000,
      1000,
      86_400_000,
    ),
    schedulerEventHorizonIntervalMs: int(
      env,
      'SCHEDULER_EVENT_HORIZON_INTERVAL_MS',
      10_000,
      1000,
      86_400_000,
    ),
    eventHorizonHeldMaxMs: int(env, 'EVENT_HORIZON_HELD_MAX_MS', 60_000, 100, 86_400_000),
    pspWebhookSecret: raw(env, 'PSP_WEBHOOK_SECRET') ?? null,
    pspWebhookSecretNext: raw(env, 'PSP_WEBHOOK_SECRET_NEXT') ?? null,
    pspWebhookMaxDriftSeconds: int(env, 'PSP_WEBHOOK_MAX_DRIFT_SECONDS', 300, 1, 86_400),
    pspProvider: oneOf(env, 'PSP_PROVIDER', 'simulator', ['simulator'] as const),
    pspSimulatorJournal: raw(env, 'PSP_SIMULATOR_JOURNAL') ?? null,
    proofFileMaxBytes: int(env, 'PROOF_FILE_MAX_BYTES', 15 * 1024 * 1024, 1024, 200 * 1024 * 1024),
    proofGeofenceToleranceM: int(env, 'PROOF_GEOFENCE_TOLERANCE_M', 15, 0, 100_000),
    proofMaxAgeMinutes: int(env, 'PROOF_MAX_AGE_MINUTES', 120, 1, 525_600),
    proofFutureSkewMinutes: int(env, 'PROOF_FUTURE_SKEW_MINUTES', 2, 0, 1440),
    proofPhashMaxDistance: int(env, 'PROOF_PHASH_MAX_DISTANCE', 10, 0, 64),
    proofTrustClientMetadata: bool(env, 'PROOF_TRUST_CLIENT_METADATA', false),
    invoiceOcrEnabled: bool(env, 'INVOICE_OCR_ENABLED', false),
    invoiceOcrTimeoutMs: int(env, 'INVOICE_OCR_TIMEOUT_MS', 20_000, 100, 600_000),
    invoiceAmountTolerance: decimalText(env, 'INVOICE_AMOUNT_TOLERANCE', '0.01'),
    aiProofAdvisorEnabled: bool(env, 'AI_PROOF_ADVISOR_ENABLED', false),
    aiProofSendImage: bool(env, 'AI_PROOF_SEND_IMAGE', false),
    apiKeyCache: bool(env, 'API_KEY_CACHE', false),
    aiProofAdvisorModel: raw(env, 'AI_PROOF_ADVISOR_MODEL') ?? 'claude-sonnet-4-5',
    aiProofTimeoutMs: int(env, 'AI_PROOF_TIMEOUT_MS', 12_000, 100, 600_000),
    aiBreakerFailuresMax: int(env, 'AI_BREAKER_FAILURES_MAX', 5, 1, 1000),
    aiBreakerCooldownMs: int(env, 'AI_BREAKER_COOLDOWN_MS', 60_000, 100, 86_400_000),
    anthropicApiKey: raw(env, 'ANTHROPIC_API_KEY') ?? null,
    anthropicBaseUrl,
    trustProxy: trustProxy(env),
    rateLimits: rateLimits(env),
  };
  // Last: in development this writes DATA_DIR, which a bad value elsewhere must not cause.
  const secret =
    options.apiKeys === false ? unusedApiKeySecret(env) : apiKeySecret(env, appEnv, dataDir);
  return { ...config, apiKeySecret: secret.value, apiKeySecretSource: secret.source };
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * DATABASE_OWNER_URL: the owner role of the external database named by DATABASE_URL (the same
 * database, another role). The embedded server makes its own roles, so it needs none.
 */
function ownerUrl(env: Env, databaseUrl: string | null): string | null {
  const value = raw(env, 'DATABASE_OWNER_URL');
  if (value === undefined) return null;
  if (!POSTGRES_URL.test(value))
    throw new ConfigError('DATABASE_OWNER_URL', 'must be a postgres:// or postgresql:// URL');
  if (!databaseUrl) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      'is only for an external database: set DATABASE_URL too (the embedded server makes its own roles)',
    );
  }
  const owner = parseUrl(value, 'DATABASE_OWNER_URL');
  const service = parseUrl(databaseUrl, 'DATABASE_URL');
  if (decodeURIComponent(owner.username) === decodeURIComponent(service.username)) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      'names the same role as DATABASE_URL: it must be the owner role, DATABASE_URL the service role (or leave it unset)',
    );
  }
  if (
    owner.pathname !== service.pathname &&
    owner.pathname.length > 1 &&
    service.pathname.length > 1
  ) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      `names another database (${owner.pathname.slice(1)}) than DATABASE_URL`,
    );
  }
  return value;
}

function parseUrl(value: string, name: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
}

/** A process that handles no API keys keeps a given secret (validated) and needs none. */
function unusedApiKeySecret(env: Env): { value: string; source: AppConfig['apiKeySecretSource'] } {
  const given = raw(env, 'API_KEY_SECRET');
  if (given && given.length < SECRET_MIN_LENGTH) {
    throw new ConfigError('API_KEY_SECRET', `must be at least ${SECRET_MIN_LENGTH} characters`);
  }
  return given ? { value: given, source: 'env' } : { value: '', source: 'not_needed' };
}

/**
 * API_KEY_SECRET: required in production. In development a missing secret is generated once
 * and kept in DATA_DIR (mode 0600) so keys survive restarts; in test it is random per process.
 */
function apiKeySecret(
  env: Env,
  appEnv: AppEnv,
  dataDir: string,
): {
  value: string;
  source: AppConfig['apiKeySecretSource'];
} {
  const given = raw(env, 'API_KEY_SECRET');
  if (given) {
    if (given.length < SECRET_MIN_LENGTH) {
      throw new ConfigError('API_KEY_SECRET', `must be at least ${SECRET_MIN_LENGTH} characters`);
    }
    return { value: given, source: 'env' };
  }
  if (appEnv === 'production') {
    throw new ConfigError(
      'API_KEY_SECRET',
      'is required when APP_ENV=production (set a random value of at least 32 characters)',
    );
  }
  if (appEnv === 'test')
    return { value: randomBytes(32).toString('base64url'), source: 'ephemeral' };
  const file = path.join(dataDir, 'api-key-secret');
  try {
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      try {
        writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, {
          mode: 0o600,
          flag: 'wx',
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const value = readFileSync(file, 'utf8').trim();
    if (value.length < SECRET_MIN_LENGTH) {
      throw new ConfigError(
        'API_KEY_SECRET',
        `kept in ${file} is shorter than ${SECRET_MIN_LENGTH} characters: delete the file to generate a new one`,
      );
    }
    return { value, source: 'data_dir' };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      'DATA_DIR',
      `(${dataDir}) cannot hold the generated API key secret (${e.code ?? e.message}): set DATA_DIR to a ` +
        'folder this process may create and write, or set API_KEY_SECRET',
    );
  }
}

/**
 * What only the API needs before it starts: a PSP webhook secret (primary or next) outside
 * development. In development a missing secret makes the webhook answer 503 instead, so a
 * laptop starts without one (the old service refused to start only in production, B17/§4.11).
 */
export function assertApiConfig(config: AppConfig): void {
  if (config.appEnv !== 'development' && !config.pspWebhookSecret && !config.pspWebhookSecretNext) {
    throw new ConfigError(
      'PSP_WEBHOOK_SECRET',
      `is required when APP_ENV=${config.appEnv} (or PSP_WEBHOOK_SECRET_NEXT): the PSP webhook cannot be verified without it`,
    );
  }
}

/** `/health`'s view of the webhook secrets: ok (one set), rotating (both), missing. */
export function webhookSecretStatus(config: AppConfig): 'ok' | 'rotating' | 'missing' {
  if (config.pspWebhookSecret && config.pspWebhookSecretNext) return 'rotating';
  return config.pspWebhookSecret || config.pspWebhookSecretNext ? 'ok' : 'missing';
}

const DEV_API_KEY_MIN_LENGTH = 16;

/** The legacy key is an admin credential in development: it must not be guessable. */
function devApiKey(env: Env): string | null {
  const value = raw(env, 'DEV_API_KEY');
  if (value !== undefined && value.length < DEV_API_KEY_MIN_LENGTH) {
    throw new ConfigError('DEV_API_KEY', `must be at least ${DEV_API_KEY_MIN_LENGTH} characters`);
  }
  return value ?? null;
}
