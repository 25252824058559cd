/**
 * The append of one alert (API-RULES.md §6): `alert.raised.v1` on `alert-{id}`, `no_stream`,
 * its id a name-based UUID of its cause. Free of the command pipeline, so the platform (a halted
 * projector) can raise one too.
 */
import type { AlertRaisedData, AlertType } from '@kob/domain';
import type { AppendMetadata, StreamAppend } from '@kob/event-store';
import { newId, uuidV5 } from '@kob/kernel';

export interface AlertInput {
  type: AlertType;
  message: string;
  actorUserId: string | null;
  payload: Record<string, unknown>;
  /** What makes this alert unique (e.g. `rejection\n{scope}\n{key}`, `payment-failed\n{id}`). */
  cause: string;
}

export function alertId(cause: string): string {
  return uuidV5(`alert\n${cause}`);
}

export function alertAppend(input: AlertInput, metadata: AppendMetadata): StreamAppend {
  const id = alertId(input.cause);
  const data: AlertRaisedData = {
    alertId: id,
    type: input.type,
    message: input.message,
    actorUserId: input.actorUserId,
    payload: input.payload,
    raisedAt: metadata.occurredAt,
  };
  return {
    streamId: `alert-${id}`,
    expectedRevision: 'no_stream',
    events: [{ id: newId(), type: 'alert.raised.v1', data, metadata }],
  };
}
