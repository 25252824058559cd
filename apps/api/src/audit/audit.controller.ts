/**
 * The audit trail over HTTP (API-RULES.md §1, §6). `GET /audit/events` lists the masked
 * audit_log read model for support and auditors, in `$all` order, filtered by stream, type,
 * actor-label prefix and a start position. `GET /audit/streams/{streamId}` is for auditors only:
 * one stream's raw events from the event store, metadata and PII included, with the verdict of
 * its hash chain re-computed on the spot.
 */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { decodePosition } from '@kob/event-store';
import { limits } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { ApiError } from '../http/api-error';
import type { Page } from '../http/pagination';
import { PLATFORM } from '../tokens';
import { auditStream, listAuditEvents } from './audit-events.query';
import {
  AuditEventsPage,
  AuditEventsQuery,
  type AuditEventView,
  AuditStreamView,
} from './audit.dto';

@ApiTags('audit')
@ApiSecurity('X-API-Key')
@Controller('audit')
export class AuditController {
  constructor(@Inject(PLATFORM) private readonly platform: Platform) {}

  @Get('events')
  @Access('support', 'auditor')
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1–${limits.pageLimitMax}`,
  })
  @ApiQuery({ name: 'offset', required: false, type: Number })
  @ApiOkResponse({ type: AuditEventsPage, description: 'Events in $all order, data masked' })
  @ApiBadRequestResponse({ description: 'INVALID_EVENT_POSITION: from_position is malformed' })
  async events(@Query() query: AuditEventsQuery): Promise<Page<AuditEventView>> {
    const after = query.from_position === undefined ? null : decodePosition(query.from_position);
    if (query.from_position !== undefined && !after) {
      throw new ApiError(400, 'INVALID_EVENT_POSITION', 'from_position is not a position token');
    }
    const { items, total } = await listAuditEvents(
      this.platform.db,
      { stream: query.stream, type: query.type, actorPrefix: query.actor_prefix, after },
      query,
    );
    return { items, total, limit: query.limit, offset: query.offset };
  }

  @Get('streams/:streamId')
  @Access('auditor')
  @ApiOkResponse({
    type: AuditStreamView,
    description: 'Raw events, PII included, and chain_valid',
  })
  @ApiNotFoundResponse({ description: 'STREAM_NOT_FOUND: the stream has no events' })
  async stream(@Param('streamId') streamId: string): Promise<AuditStreamView> {
    const view = await auditStream(this.platform.store, streamId);
    if (!view) throw new ApiError(404, 'STREAM_NOT_FOUND', 'Stream not found.');
    return view;
  }
}
