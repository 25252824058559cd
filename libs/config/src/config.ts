/**
 * Configuration from the environment, validated once at start. A bad value stops the process
 * with a message naming the variable (ConfigError); nothing reads process.env elsewhere.
 * Names and defaults: API-RULES.md §6 and the platform issue. Units are in the names.
 */
import { parseCurrencies } from '@kob/kernel';
import {
  type AppConfig,
  type AppEnv,
  ConfigError,
  type EventStoreKind,
  type LogLevel,
  type ProjectionsMode,
} from './config-types';
import { chooseDataDir } from './data-dir';
import { POSTGRES_URL, ownerUrl } from './database-urls';

/** The connection string schemes of @eventstore/db-client (and KurrentDB's). */
const EVENTSTORE_URL = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\/\S+$/;
import {
  type Env,
  bool,
  decimalText,
  int,
  oneOf,
  rateLimits,
  raw,
  trustProxy,
} from './env-readers';
import { API_KEY_FORMAT, apiKeySecret, devApiKey, unusedApiKeySecret } from './secrets';

export * from './config-types';
export { API_KEY_FORMAT } from './secrets';

export interface LoadOptions {
  /**
   * Whether this process verifies or issues API keys (the API). The CLI and the projector worker
   * do not: they neither require API_KEY_SECRET (also in production) nor generate one.
   */
  apiKeys?: boolean;
}

export function loadConfig(env: Env = process.env, options: LoadOptions = {}): AppConfig {
  const appEnv = oneOf<AppEnv>(env, 'APP_ENV', 'production', ['production', 'development', 'test']);
  const databaseUrl = raw(env, 'DATABASE_URL') ?? null;
  if (databaseUrl && !POSTGRES_URL.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  const { dataDir, movedFrom } = chooseDataDir(raw(env, 'DATA_DIR'), { embedded: !databaseUrl });
  const databaseOwnerUrl = ownerUrl(env, databaseUrl);
  const currencies = currenciesOf(env);
  const corsAllowOrigins = corsOrigins(env);
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
  // Read in this order (a bad value is reported in it), and kept in it.
  const config: Omit<AppConfig, 'apiKeySecret' | 'apiKeySecretSource'> = {
    appEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: raw(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    databaseOwnerUrl,
    dataDir,
    dataDirMovedFrom: movedFrom,
    bootstrapAdminApiKey,
    devApiKey: devApiKey(env),
    ...processSettings(env),
    ...eventStoreSettings(env),
    currencies,
    corsAllowOrigins,
    httpBodyLimitBytes: int(env, 'HTTP_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    inlineProjectionWaitMs: int(env, 'INLINE_PROJECTION_WAIT_MS', 2000, 0, 60_000),
    ...schedulerSettings(env),
    ...pspSettings(env),
    ...proofSettings(env),
    ...aiSettings(env, anthropicBaseUrl),
    trustProxy: trustProxy(env),
    rateLimits: rateLimits(env),
    authEmailLogin: bool(env, 'AUTH_EMAIL_LOGIN', appEnv === 'development'),
    authSessionTtlMinutes: int(env, 'AUTH_SESSION_TTL_MINUTES', 720, 1, 525_600),
  };
  // Last: in development this writes DATA_DIR, which a bad value elsewhere must not cause.
  const secret =
    options.apiKeys === false ? unusedApiKeySecret(env) : apiKeySecret(env, appEnv, dataDir);
  return { ...config, apiKeySecret: secret.value, apiKeySecretSource: secret.source };
}

function currenciesOf(env: Env): Map<string, number> {
  try {
    return parseCurrencies(raw(env, 'CURRENCIES') ?? 'USD:2,EUR:2');
  } catch (err) {
    throw new ConfigError('CURRENCIES', (err as Error).message);
  }
}

function corsOrigins(env: Env): string[] {
  const corsAllowOrigins = (raw(env, 'CORS_ALLOW_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of corsAllowOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError('CORS_ALLOW_ORIGINS', `has an invalid origin "${origin}"`);
    }
  }
  return corsAllowOrigins;
}

function processSettings(env: Env) {
  return {
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
    projectionDeferredWrites: bool(env, 'PROJECTION_DEFERRED_WRITES', true),
    compactHeapAtStart: bool(env, 'COMPACT_HEAP_AT_START', true),
  };
}

/**
 * The write side: the PostgreSQL event store (the default, in the read models' database) or an
 * EventStoreDB/KurrentDB cluster (`EVENT_STORE=eventstoredb` with its connection string).
 */
function eventStoreSettings(env: Env) {
  const eventStore = oneOf<EventStoreKind>(env, 'EVENT_STORE', 'postgres', [
    'postgres',
    'eventstoredb',
  ]);
  const connection = raw(env, 'EVENTSTORE_CONNECTION_STRING') ?? null;
  if (connection !== null && !EVENTSTORE_URL.test(connection))
    throw new ConfigError(
      'EVENTSTORE_CONNECTION_STRING',
      'must be an esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover:// connection string',
    );
  if (eventStore === 'eventstoredb' && connection === null)
    throw new ConfigError(
      'EVENTSTORE_CONNECTION_STRING',
      'is required with EVENT_STORE=eventstoredb',
    );
  return {
    eventStore,
    eventStoreConnectionString: eventStore === 'eventstoredb' ? connection : null,
  };
}

/** An interval between 1 s and a day. */
function intervalMs(env: Env, name: string, dflt: number): number {
  return int(env, name, dflt, 1000, 86_400_000);
}

function schedulerSettings(env: Env) {
  return {
    schedulerEnabled: bool(env, 'SCHEDULER_ENABLED', true),
    schedulerMandateExpiryIntervalMs: intervalMs(
      env,
      'SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS',
      3_600_000,
    ),
    schedulerDeadlineIntervalMs: intervalMs(env, 'SCHEDULER_DEADLINE_INTERVAL_MS', 60_000),
    schedulerPaymentRecoveryIntervalMs: intervalMs(
      env,
      'SCHEDULER_PAYMENT_RECOVERY_INTERVAL_MS',
      60_000,
    ),
    schedulerEventHorizonIntervalMs: intervalMs(env, 'SCHEDULER_EVENT_HORIZON_INTERVAL_MS', 10_000),
    schedulerMultiStreamRecoveryIntervalMs: intervalMs(
      env,
      'SCHEDULER_MULTI_STREAM_RECOVERY_INTERVAL_MS',
      30_000,
    ),
    eventHorizonHeldMaxMs: int(env, 'EVENT_HORIZON_HELD_MAX_MS', 60_000, 100, 86_400_000),
  };
}

function pspSettings(env: Env) {
  return {
    pspWebhookSecret: raw(env, 'PSP_WEBHOOK_SECRET') ?? null,
    pspWebhookSecretNext: raw(env, 'PSP_WEBHOOK_SECRET_NEXT') ?? null,
    pspWebhookMaxDriftSeconds: int(env, 'PSP_WEBHOOK_MAX_DRIFT_SECONDS', 300, 1, 86_400),
    pspProvider: oneOf(env, 'PSP_PROVIDER', 'simulator', ['simulator'] as const),
    pspSimulatorJournal: raw(env, 'PSP_SIMULATOR_JOURNAL') ?? null,
  };
}

function proofSettings(env: Env) {
  return {
    proofFileMaxBytes: int(env, 'PROOF_FILE_MAX_BYTES', 15 * 1024 * 1024, 1024, 200 * 1024 * 1024),
    proofGeofenceToleranceM: int(env, 'PROOF_GEOFENCE_TOLERANCE_M', 15, 0, 100_000),
    proofMaxAgeMinutes: int(env, 'PROOF_MAX_AGE_MINUTES', 120, 1, 525_600),
    proofFutureSkewMinutes: int(env, 'PROOF_FUTURE_SKEW_MINUTES', 2, 0, 1440),
    proofPhashMaxDistance: int(env, 'PROOF_PHASH_MAX_DISTANCE', 10, 0, 64),
    proofTrustClientMetadata: bool(env, 'PROOF_TRUST_CLIENT_METADATA', false),
    invoiceOcrEnabled: bool(env, 'INVOICE_OCR_ENABLED', false),
    invoiceOcrTimeoutMs: int(env, 'INVOICE_OCR_TIMEOUT_MS', 20_000, 100, 600_000),
    invoiceAmountTolerance: decimalText(env, 'INVOICE_AMOUNT_TOLERANCE', '0.01'),
  };
}

/** The AI proof advisor's settings (and, read among them, the API key cache switch). */
function aiSettings(env: Env, anthropicBaseUrl: string | null) {
  return {
    aiProofAdvisorEnabled: bool(env, 'AI_PROOF_ADVISOR_ENABLED', false),
    aiProofSendImage: bool(env, 'AI_PROOF_SEND_IMAGE', false),
    apiKeyCache: bool(env, 'API_KEY_CACHE', false),
    aiProofAdvisorModel: raw(env, 'AI_PROOF_ADVISOR_MODEL') ?? 'claude-sonnet-4-5',
    aiProofTimeoutMs: int(env, 'AI_PROOF_TIMEOUT_MS', 12_000, 100, 600_000),
    aiBreakerFailuresMax: int(env, 'AI_BREAKER_FAILURES_MAX', 5, 1, 1000),
    aiBreakerCooldownMs: int(env, 'AI_BREAKER_COOLDOWN_MS', 60_000, 100, 86_400_000),
    anthropicApiKey: raw(env, 'ANTHROPIC_API_KEY') ?? null,
    anthropicBaseUrl,
  };
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
