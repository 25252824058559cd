/**
 * Named limits (TIGER_STYLE): every loop, batch, page and retry has one, with its unit last.
 */
export const limits = {
  appendRetriesMax: 8,
  appendRetryBaseDelayMs: 5,
  appendRetryMaxDelayMs: 200,
  appendEventsPerCallMax: 1000,
  readStreamPageMax: 1000,
  readAllBatchMax: 5000,
  projectionBatchSizeMax: 500,
  projectionPollIntervalMs: 25,
  projectionIdlePollIntervalMs: 250,
  /**
   * Where no live loop runs (worker mode), how often at most the checkpoints are read while
   * requests wait for the projections: one statement for every wait of the process.
   */
  projectionFollowIntervalMs: 5,
  /** At most one cross-process "appended" NOTIFY per this many ms (append-signal.ts). */
  appendSignalSpacingMs: 5,
  streamCacheEntriesMax: 10_000,
  pageLimitDefault: 50,
  pageLimitMax: 200,
  idempotencyKeyLengthMax: 255,
  embeddedPgStartTimeoutMs: 60_000,
  readYourWritesWaitMaxMs: 5_000,
  dbConnectTimeoutMs: 10_000,
  dbStatementTimeoutMs: 60_000,
  dbIdleInTransactionTimeoutMs: 60_000,
  /** Migrations (owner sessions) give up waiting for a table lock after this. */
  dbOwnerLockTimeoutMs: 10_000,
  projectionRetryDelayMaxMs: 5_000,
  jsonBodyDepthMax: 32,
  enforcedChangeWaitMinMs: 2_000,
  pageOffsetMax: 1_000_000_000,
  pathParamLengthMax: 300,
  /** A request (an upload included) must arrive whole within this; a slow sender is cut off. */
  httpRequestTimeoutMs: 120_000,
  schedulerTickMs: 1_000,
  /** `/health` waits this long for the event store's connection probe, then says `deadline`. */
  healthStoreProbeTimeoutMs: 2_000,
} as const;
