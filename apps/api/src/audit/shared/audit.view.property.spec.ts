/**
 * Properties of the audit views (issue 12): a masked audit_log row, and a raw event of any domain
 * with hostile values (what `GET /audit/streams/{id}` shows auditors), come out as well-formed
 * JSON that survives a round trip; the masked data is passed through unchanged, the raw data is
 * the event's own except the key hash, which is hidden.
 */
import fc from 'fast-check';
import type { NewEvent, RecordedEvent } from '@kob/event-store';
import { maskAuditData } from '@kob/projections';
import { anyRunInputs, buildAny } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, stored, viewProblems } from '@test/view-property';
import { auditEntry } from '@kob/platform';
import { rawView } from './audit.view';

function recorded(e: NewEvent, streamId: string, i: number): RecordedEvent {
  return {
    id: e.id,
    streamId,
    revision: BigInt(i),
    type: e.type,
    data: stored(e.data),
    metadata: stored({ ...e.metadata, prevHash: 'p', hash: 'h' }),
    position: { tx: 7n, pos: BigInt(i + 1) },
    recordedAt: A_TIME,
  };
}

describe('audit views under arbitrary events', () => {
  it('masked and raw views are well-formed; masked data unchanged, raw data without key hashes', () => {
    fc.assert(
      fc.property(anyRunInputs, (run) => {
        const events = buildAny(run).flatMap((a) =>
          a.events.map((e, i) => recorded(e, a.streamId, i)),
        );
        for (const e of events) {
          const data = stored(maskAuditData(e.data));
          const masked = auditEntry({
            tx: '7',
            pos: String(e.position.pos),
            event_id: e.id,
            stream_id: e.streamId,
            revision: '0',
            type: e.type,
            actor: e.metadata.actor,
            actor_label: 'koba_abcdef',
            occurred_at: A_TIME,
            correlation_id: e.metadata.correlationId,
            data,
          });
          const raw = rawView(e);
          expect([...viewProblems(masked), ...viewProblems(raw)]).toEqual([]);
          expect(masked.data).toEqual(data);
          const keyHash = (e.data as Record<string, unknown>).keyHash;
          expect(raw.data).toEqual(
            keyHash === undefined ? e.data : { ...(e.data as object), keyHash: '***' },
          );
        }
      }),
      propertyParams(30),
    );
  });
});
