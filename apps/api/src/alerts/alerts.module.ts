/**
 * The Alerts feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { ListAlertsController } from './list-alerts/list-alerts.controller';
import { ListAlertsHandler } from './list-alerts/list-alerts.handler';

@Module({
  controllers: [ListAlertsController],
  providers: [ListAlertsHandler],
})
export class AlertsModule {}
