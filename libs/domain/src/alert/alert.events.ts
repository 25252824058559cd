/**
 * Alerts (API-RULES.md §6): one `alert.raised.v1` on its own `alert-{id}` stream, never on a money
 * stream. Its id is a name-based UUID of what it reports (the request's scope and idempotency key
 * or request hash, a payment id, a projector's halt), appended `no_stream`, so the same cause
 * never raises a second alert.
 */
export type AlertType =
  | 'UNAUTHORIZED_TRANSFER_ATTEMPT'
  | 'USAGE_PAYEE_FORBIDDEN'
  | 'USAGE_DAILY_LIMIT_REJECTED'
  | 'USAGE_TOTAL_LIMIT_REJECTED'
  | 'USAGE_BALANCE_REJECTED'
  | 'USAGE_ESCROW_CLOSED'
  | 'LEDGER_INVARIANT_BROKEN'
  | 'PAYMENT_FAILED'
  | 'PROJECTION_EVENT_PARKED'
  | 'DEPOSIT_AMOUNT_MISMATCH'
  /** An open transaction held back the `$all` horizon (every projection) longer than its limit. */
  | 'EVENT_HORIZON_HELD_BACK';

export const alertTypes: readonly AlertType[] = [
  'UNAUTHORIZED_TRANSFER_ATTEMPT',
  'USAGE_PAYEE_FORBIDDEN',
  'USAGE_DAILY_LIMIT_REJECTED',
  'USAGE_TOTAL_LIMIT_REJECTED',
  'USAGE_BALANCE_REJECTED',
  'USAGE_ESCROW_CLOSED',
  'LEDGER_INVARIANT_BROKEN',
  'PAYMENT_FAILED',
  'PROJECTION_EVENT_PARKED',
  'DEPOSIT_AMOUNT_MISMATCH',
  'EVENT_HORIZON_HELD_BACK',
];

export interface AlertRaisedData {
  alertId: string;
  type: AlertType;
  message: string;
  /** The user on whose behalf the rejected request was made, when there is one. */
  actorUserId: string | null;
  /** What the alert is about (ids and amounts as strings; no secrets). */
  payload: Record<string, unknown>;
  raisedAt: string;
}

export type AlertEvent = { type: 'alert.raised.v1'; data: AlertRaisedData };
