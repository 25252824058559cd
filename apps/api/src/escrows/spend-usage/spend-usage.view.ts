/** How a usage spend leaves the API: the payment of kind `spend`, at the escrow's scale. */
import type { EscrowState, PaymentState } from '@kob/domain';
import { atScale } from '../../http/formats';
import {
  type PaymentRead,
  type PaymentStatusName,
  paymentStateView,
  paymentStatusName,
} from '../../payments/shared/payments.view';

export interface SpendRead {
  payment_id: string;
  escrow_id: string;
  payee_ref: string;
  amount: string;
  currency: string;
  /** The payment's, as PaymentRead names it (`ERROR` for a failed one, D4). */
  status: PaymentStatusName;
  psp_ref: string | null;
  note: string | null;
  payment: PaymentRead;
}

export function spendView(s: EscrowState, payment: PaymentState, note: string | null): SpendRead {
  return {
    payment_id: payment.paymentId,
    escrow_id: s.escrowId,
    payee_ref: payment.beneficiaryId,
    amount: atScale(payment.amount, s.currency, s.scale),
    currency: s.currency,
    status: paymentStatusName(payment.status),
    psp_ref: payment.pspRef,
    note,
    payment: paymentStateView(s, payment),
  };
}
