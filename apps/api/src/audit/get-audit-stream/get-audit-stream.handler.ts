/**
 * Every event of the stream (all pages) from the event store, metadata and PII included, and
 * its hash chain re-computed on the spot; 404 STREAM_NOT_FOUND for a stream without events.
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { verifyChain } from '@kob/event-store';
import { ApiError } from '../../http/api-error';
import { EVENT_STORE, type EventStore } from '../../platform/platform.providers';
import { type AuditStreamView, rawView } from '../shared/audit.view';
import { GetAuditStreamQuery } from './get-audit-stream.query';

@QueryHandler(GetAuditStreamQuery)
export class GetAuditStreamHandler implements IQueryHandler<GetAuditStreamQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ streamId }: GetAuditStreamQuery): Promise<AuditStreamView> {
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw new ApiError(404, 'STREAM_NOT_FOUND', 'Stream not found.');
    const verdict = verifyChain(events);
    return {
      stream_id: streamId,
      chain_valid: verdict.valid,
      first_bad_revision: verdict.valid ? null : verdict.firstBadRevision.toString(),
      reason: verdict.valid ? null : verdict.reason,
      events: events.map((e) => rawView(e)),
    };
  }
}
