/** The `psp_webhooks` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface PspWebhooksTable {
  detail: string | null;
  event_id: string;
  kind: string;
  processed_at: Date | null;
  provider: string;
  psp_ref: string | null;
  received_at: Date;
  status: string;
  stream_id: string;
}

export type PspWebhookRow = Selectable<PspWebhooksTable>;
