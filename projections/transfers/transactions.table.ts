/** The `transactions` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface TransactionsTable {
  amount: string;
  created_at: Date;
  currency: string;
  id: string;
  receiver_id: string;
  scale: number;
  sender_id: string;
  status: string;
  updated_at: Date;
}

export type TransactionRow = Selectable<TransactionsTable>;
