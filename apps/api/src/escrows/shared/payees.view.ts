/** How allowed payees leave the API (`PayeeRead`): limits and what was spent, at the escrow's scale. */
import { type EscrowState, type PayeeState, spentOn } from '@kob/domain';
import { atScale, iso } from '../../http/formats';

export interface PayeeRead {
  escrow_id: string;
  payee_ref: string;
  label: string;
  currency: string;
  daily_limit: string | null;
  total_limit: string | null;
  spent_total: string;
  /** Spent on the current UTC day. */
  spent_today: string;
  created_at: string;
}

export function payeeView(s: EscrowState, p: PayeeState, now: string): PayeeRead {
  const scaled = (x: string | null) => (x === null ? null : atScale(x, s.currency, s.scale));
  return {
    escrow_id: s.escrowId,
    payee_ref: p.payeeRef,
    label: p.label,
    currency: s.currency,
    daily_limit: scaled(p.dailyLimit),
    total_limit: scaled(p.totalLimit),
    spent_total: atScale(p.spentTotal, s.currency, s.scale),
    spent_today: atScale(spentOn(s, p, now), s.currency, s.scale),
    created_at: iso(p.allowedAt),
  };
}
