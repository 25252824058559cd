/** How the sender's dashboard leaves the API: three lists, newest first, each of at most `limit`. */
import type { PaymentRead } from '../../payments/shared/payments.view';
import type { ProofRead } from '../../proofs/shared/proofs.view';
import type { EscrowRead } from '../shared/escrows.view';

export interface SenderDashboard {
  /** The escrows whose client is the caller, newest first. */
  recent_escrows: EscrowRead[];
  /** Their PENDING proofs (waiting for the client's decision), newest first. */
  pending_proofs: ProofRead[];
  /** Their payments of every kind, newest first. */
  recent_payments: PaymentRead[];
}
