/**
 * The alerts read model: one row per `alert.raised.v1`, for `GET /alerts`. The actor is the
 * label of who made the request that raised it (a key prefix, `system:projector`…).
 */
import type { Transaction } from 'kysely';
import type { AlertEvent } from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';
import { actorLabel, isActor } from '@kob/kernel';
import type { ReadModels } from '../read-models';
import { insertOnce } from '../projector-shell';

export const alertsProjection = {
  name: 'alerts',
  version: 1,
  tables: ['alerts'],
  async apply(trx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void> {
    const rows = events
      .filter((e) => e.type === 'alert.raised.v1')
      .map((recorded) => {
        const e = recorded as unknown as AlertEvent & RecordedEvent;
        return {
          id: e.data.alertId,
          type: e.data.type,
          message: e.data.message,
          actor_user_id: e.data.actorUserId,
          payload: JSON.stringify(e.data.payload),
          actor: isActor(recorded.metadata.actor) ? actorLabel(recorded.metadata.actor) : 'unknown',
          created_at: e.data.raisedAt,
        };
      });
    if (rows.length === 0) return;
    await insertOnce(trx, 'alerts', rows);
  },
};
