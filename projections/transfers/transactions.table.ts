/** The `transactions` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface TransactionsTable {
  amount: string;
  created_at: Timestamp;
  currency: string;
  id: string;
  receiver_id: string;
  scale: number;
  sender_id: string;
  status: string;
  updated_at: Timestamp;
}

export type TransactionRow = Selectable<TransactionsTable>;
