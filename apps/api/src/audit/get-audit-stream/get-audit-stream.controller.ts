/**
 * `GET /audit/streams/{streamId}` (auditors only; API-RULES.md §1, §6): one stream's raw events
 * from the event store, metadata and PII included, with the verdict of its hash chain.
 */
import { Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { AuditStreamView } from '../shared/audit.view';
import { GetAuditStreamQuery } from './get-audit-stream.query';
import { ApiController, QueryController } from '../../http/routes';

@ApiController('audit', 'audit')
export class GetAuditStreamController extends QueryController {
  @Get('streams/:streamId')
  @Access('auditor')
  @Dispatches(GetAuditStreamQuery)
  @ApiOkResponse({
    type: AuditStreamView,
    description: 'Raw events, PII included, and chain_valid',
  })
  @ApiNotFoundResponse({ description: 'STREAM_NOT_FOUND: the stream has no events' })
  stream(@Param('streamId') streamId: string): Promise<AuditStreamView> {
    return this.queryBus.execute(new GetAuditStreamQuery(streamId));
  }
}
