/** The service's configuration, as loaded from the environment, and the error a bad value raises. */
export type AppEnv = 'production' | 'development' | 'test';
export type ProjectionsMode = 'inline' | 'worker';
export type EventStoreKind = 'postgres' | 'eventstoredb';
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
  /**
   * The default `./.data` when DATA_DIR was not set and the default moved because the embedded
   * server's user could not reach it (running as root in a closed folder; see data-dir.ts).
   */
  dataDirMovedFrom: string | null;
  /** Empty when this process handles no API keys (`loadConfig(env, { apiKeys: false })`). */
  apiKeySecret: string;
  apiKeySecretSource: 'env' | 'data_dir' | 'ephemeral' | 'not_needed';
  bootstrapAdminApiKey: string | null;
  devApiKey: string | null;
  logLevel: LogLevel;
  projectionsMode: ProjectionsMode;
  /** Where events are appended and read: PostgreSQL (default) or EventStoreDB/KurrentDB. */
  eventStore: EventStoreKind;
  /** EVENTSTORE_CONNECTION_STRING with `eventstoredb`; null with `postgres`. */
  eventStoreConnectionString: string | null;
  projectionBatchSize: number;
  /**
   * Whether a projection round sends its projectors' writes whose answers nobody reads without
   * waiting for each (PROJECTION_DEFERRED_WRITES, on by default; off, each is waited for).
   */
  projectionDeferredWrites: boolean;
  /**
   * One memory-reducing garbage collection when start-up is done, before the API listens or the
   * worker projects (COMPACT_HEAP_AT_START, on by default): V8 then sizes its old generation from
   * the live heap rather than from start-up's allocation (platform/runtime/compact-heap.ts).
   */
  compactHeapAtStart: boolean;
  currencies: Map<string, number>;
  corsAllowOrigins: string[];
  httpBodyLimitBytes: number;
  inlineProjectionWaitMs: number;
  schedulerEnabled: boolean;
  schedulerMandateExpiryIntervalMs: number;
  schedulerDeadlineIntervalMs: number;
  schedulerPaymentRecoveryIntervalMs: number;
  schedulerEventHorizonIntervalMs: number;
  /** How often the recovery job of multi-stream appends runs (EventStoreDB only). */
  schedulerMultiStreamRecoveryIntervalMs: number;
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
  /**
   * `POST /auth/login` by email alone (FRONTEND-CONTRACT D1: development and demos). Off unless
   * `AUTH_EMAIL_LOGIN=true`; on by default only with `APP_ENV=development`.
   */
  authEmailLogin: boolean;
  /** How long a login's key lives (`AUTH_SESSION_TTL_MINUTES`, default 720). */
  authSessionTtlMinutes: number;
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
