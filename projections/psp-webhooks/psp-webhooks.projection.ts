/**
 * The PSP webhooks received, for support and for the recovery job's to-do list: webhooks whose
 * processing did not finish (a crash after the receipt) or that wait for their reference.
 */
import type { Transaction } from 'kysely';
import type { PspWebhookEvent } from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';

export const pspWebhooksProjection = {
  name: 'psp_webhooks',
  version: 1,
  tables: ['psp_webhooks'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      if (!recorded.streamId.startsWith('psp-webhook-')) continue;
      const e = recorded as unknown as PspWebhookEvent;
      if (e.type === 'psp.webhook_received.v1') {
        await trx
          .insertInto('psp_webhooks')
          .values({
            stream_id: recorded.streamId,
            provider: e.data.provider,
            event_id: e.data.eventId,
            kind: e.data.kind,
            psp_ref: e.data.pspRef,
            status: 'received',
            received_at: e.data.receivedAt,
          })
          .onConflict((oc) => oc.column('stream_id').doNothing())
          .execute();
      } else if (e.type === 'psp.webhook_processed.v1') {
        await trx
          .updateTable('psp_webhooks')
          .set({ status: e.data.outcome, detail: e.data.detail, processed_at: e.data.processedAt })
          .where('stream_id', '=', recorded.streamId)
          .execute();
      }
    }
  },
};
