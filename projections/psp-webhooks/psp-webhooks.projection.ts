/**
 * The PSP webhooks received, for support and for the recovery job's to-do list: webhooks whose
 * processing did not finish (a crash after the receipt) or that wait for their reference.
 */
import type { PspWebhookEvent } from '@kob/domain';
import { eventProjector, fromStreams, insertOnce } from '../projector-shell';

export const pspWebhooksProjection = eventProjector<PspWebhookEvent>(
  {
    name: 'psp_webhooks',
    version: 1,
    tables: ['psp_webhooks'],
    reads: fromStreams('psp-webhook-'),
  },
  async (trx, e, recorded) => {
    if (e.type === 'psp.webhook_received.v1') {
      await insertOnce(
        trx,
        'psp_webhooks',
        {
          stream_id: recorded.streamId,
          provider: e.data.provider,
          event_id: e.data.eventId,
          kind: e.data.kind,
          psp_ref: e.data.pspRef,
          status: 'received',
          received_at: e.data.receivedAt,
        },
        'stream_id',
      );
    } else if (e.type === 'psp.webhook_processed.v1') {
      await trx
        .updateTable('psp_webhooks')
        .set({ status: e.data.outcome, detail: e.data.detail, processed_at: e.data.processedAt })
        .where('stream_id', '=', recorded.streamId)
        .execute();
    }
  },
);
