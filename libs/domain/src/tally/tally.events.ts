/**
 * Tally: the platform's probe aggregate. It has no HTTP surface; it exists so that the command
 * pipeline (idempotency on both paths, contention, crash recovery) is proven on a real decider
 * before the money aggregates use the same pipeline.
 */
export type TallyEvent =
  | { type: 'tally.opened.v1'; data: { tallyId: string; currency: string; openedAt: string } }
  | { type: 'tally.added.v1'; data: { tallyId: string; amount: string; total: string } };
