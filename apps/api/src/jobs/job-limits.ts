/** The batch sizes and ages of the money jobs. */
export const escrowJobLimits = {
  recoveryBatchMax: 100,
  deadlineBatchMax: 100,
  /** A younger PENDING payment or webhook may still be in the hands of the request that made it. */
  recoveryMinAgeMs: 5_000,
} as const;
