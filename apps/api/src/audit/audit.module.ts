/**
 * The Audit feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { GetAuditStreamController } from './get-audit-stream/get-audit-stream.controller';
import { GetAuditStreamHandler } from './get-audit-stream/get-audit-stream.handler';
import { ListAuditEventsController } from './list-audit-events/list-audit-events.controller';
import { ListAuditEventsHandler } from './list-audit-events/list-audit-events.handler';

@Module({
  controllers: [ListAuditEventsController, GetAuditStreamController],
  providers: [ListAuditEventsHandler, GetAuditStreamHandler],
})
export class AuditModule {}
