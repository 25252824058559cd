/**
 * The two comments by which a projection round's deferred writes reach the pg client that sends
 * them without waiting (projections/deferred-write.ts marks the statements, libs/postgres's
 * `DeferringClient` reads the marks). Comments, so a client without deferral runs the statements
 * as they are.
 */
export const deferredWriteMarks = {
  /** The statement (never sent) that turns deferral on for the rest of the transaction. */
  deferOn: '/* kobatela: defer writes */',
  /** The prefix of a write whose answer nobody reads. */
  write: '/* kobatela: deferred write */ ',
} as const;
