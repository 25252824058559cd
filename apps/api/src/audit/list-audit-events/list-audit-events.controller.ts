/**
 * `GET /audit/events` (support, auditor; API-RULES.md §1, §6): the masked audit_log read model
 * in `$all` order, filtered by stream, type, actor-label prefix and a start position.
 */
import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiQuery } from '@nestjs/swagger';
import { limits } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import type { Page } from '../../http/pagination';
import { AuditEventsPage, type AuditEventView } from '../shared/audit.view';
import { ListAuditEventsQuery } from './list-audit-events.query';
import { AuditEventsQuery } from './list-audit-events.request';
import { ApiController, QueryController } from '../../http/routes';

@ApiController('audit', 'audit')
export class ListAuditEventsController extends QueryController {
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
