/**
 * The PSP port: how money enters (collect a deposit) and leaves (transfer a payout or refund).
 * Every call carries an idempotency key (the deposit or payment id): calling again with the same
 * key returns the first outcome and never moves money twice, which is what makes recovery of a
 * payment left PENDING by a crash safe. Adapters: the simulator (default, `PSP_PROVIDER=
 * simulator`); a real PSP later.
 */
export interface CollectRequest {
  idempotencyKey: string;
  amount: string;
  currency: string;
  reference: string;
}

export interface TransferRequest {
  idempotencyKey: string;
  amount: string;
  currency: string;
  beneficiary: string;
  reference: string;
}

/**
 * `confirmed`: the money is in (synchronous PSPs), and `amount`/`currency` say how much the PSP
 * collected (checked against what was asked before anything is credited); `pending`: a webhook
 * will tell.
 */
export type CollectOutcome =
  | { status: 'confirmed'; pspRef: string; amount: string; currency: string }
  | { status: 'pending'; pspRef: string };
export type TransferOutcome = { status: 'sent'; pspRef: string };

/** The PSP answered no (declined, invalid account): the payment is FAILED. */
export class PspDeclinedError extends Error {
  constructor(readonly reason: string) {
    super(`PSP declined: ${reason}`);
    this.name = 'PspDeclinedError';
  }
}

/** The PSP did not answer in time: the outcome is unknown, the payment stays PENDING. */
export class PspTimeoutError extends Error {
  constructor(readonly afterMs: number) {
    super(`PSP did not answer within ${afterMs} ms`);
    this.name = 'PspTimeoutError';
  }
}

export interface PspPort {
  readonly name: string;
  collect(request: CollectRequest): Promise<CollectOutcome>;
  transfer(request: TransferRequest): Promise<TransferOutcome>;
}
