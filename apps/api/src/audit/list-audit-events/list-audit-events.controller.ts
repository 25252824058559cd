/**
 * `GET /audit/events` (support, auditor; API-RULES.md §1, §6): the masked audit_log read model
 * in `$all` order, filtered by stream, type, actor-label prefix and a start position.
 */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { limits } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import type { Page } from '../../http/pagination';
import { AuditEventsPage, type AuditEventView } from '../shared/audit.view';
import { ListAuditEventsQuery } from './list-audit-events.query';
import { AuditEventsQuery } from './list-audit-events.request';

@ApiTags('audit')
@ApiSecurity('X-API-Key')
@Controller('audit')
export class ListAuditEventsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('events')
  @Access('support', 'auditor')
  @Dispatches(ListAuditEventsQuery)
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1–${limits.pageLimitMax}`,
  })
  @ApiQuery({ name: 'offset', required: false, type: Number })
  @ApiOkResponse({ type: AuditEventsPage, description: 'Events in $all order, data masked' })
  @ApiBadRequestResponse({ description: 'INVALID_EVENT_POSITION: from_position is malformed' })
  events(@Query() query: AuditEventsQuery): Promise<Page<AuditEventView>> {
    return this.queryBus.execute(new ListAuditEventsQuery(query));
  }
}
