/**
 * `verify --all`'s checks of the read models that keep one row per record of its own stream:
 * a PSP webhook's row (by stream), an uploaded proof file's row, an alert's row (alert streams
 * have no decider: their fold is the alerts they raised).
 */
import {
  type AlertEvent,
  type ProofFileState,
  type PspWebhookState,
  proofFileDecider,
  pspWebhookDecider,
} from '@kob/domain';
import type { Platform } from '@kob/platform';
import { type RowCheck, firstDifference, oneRowCheck, same, sameTime } from './read-model-rows';

/** The psp_webhooks row of the stream: what was received, and the outcome once processed. */
const pspWebhookCheck = oneRowCheck<PspWebhookState>({
  decider: pspWebhookDecider,
  projectors: ['psp_webhooks'],
  table: 'psp_webhooks',
  key: (_state, streamId) => ['stream_id', streamId],
  fields: (state) => [
    ['provider', state.provider],
    ['event_id', state.eventId],
    ['status', state.outcome ?? 'received'],
    ['processed_at', state.processedAt, sameTime],
  ],
});

/** The proof_files row: the bytes' address and size. */
const proofFileCheck = oneRowCheck<ProofFileState>({
  decider: proofFileDecider,
  projectors: ['proof_files'],
  table: 'proof_files',
  key: (state) => ['id', state.file!.fileId],
  fields: (state) => [
    ['sha256', state.file!.sha256],
    // A bigint column: the driver answers it as text.
    ['size', String(state.file!.size), (row, fold) => String(row) === fold],
  ],
});

/** What an alert stream folds to: the alerts it raised (one, as the service appends them). */
interface RaisedAlerts {
  alertIds: string[];
}

/** One alerts row per alert the stream raised, of its type. */
const alertCheck: RowCheck = {
  category: 'alert',
  projectors: ['alerts'],
  fold(events) {
    const raised = events.filter((e) => e.type === 'alert.raised.v1');
    const alertIds = raised.map((e) => (e.data as AlertEvent['data']).alertId);
    return alertIds.length > 0 ? { alertIds } : null;
  },
  async difference(platform: Platform, folded) {
    const { alertIds } = folded as RaisedAlerts;
    const rows = await platform.db
      .selectFrom('alerts')
      .select('id')
      .where('id', 'in', alertIds)
      .execute();
    return firstDifference([['alerts rows', rows.length, alertIds.length, same]]);
  },
};

/** The checks of one-record read models. */
export const recordChecks: readonly RowCheck[] = [pspWebhookCheck, proofFileCheck, alertCheck];
