/** The `psp_webhooks` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface PspWebhooksTable {
  detail: string | null;
  event_id: string;
  kind: string;
  processed_at: Timestamp | null;
  provider: string;
  psp_ref: string | null;
  received_at: Timestamp;
  status: string;
  stream_id: string;
}

export type PspWebhookRow = Selectable<PspWebhooksTable>;
