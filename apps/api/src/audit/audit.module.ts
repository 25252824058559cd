/**
 * The Audit feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

@Module({
  controllers: [AuditController],
})
export class AuditModule {}
