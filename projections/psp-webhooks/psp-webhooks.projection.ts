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
  {
    'psp.webhook_received.v1': (trx, d, recorded) =>
      insertOnce(
        trx,
        'psp_webhooks',
        {
          stream_id: recorded.streamId,
          provider: d.provider,
          event_id: d.eventId,
          kind: d.kind,
          psp_ref: d.pspRef,
          status: 'received',
          received_at: d.receivedAt,
        },
        'stream_id',
      ),
    'psp.webhook_processed.v1': (trx, d, recorded) =>
      trx
        .updateTable('psp_webhooks')
        .set({ status: d.outcome, detail: d.detail, processed_at: d.processedAt })
        .where('stream_id', '=', recorded.streamId)
        .execute(),
  },
);
