/**
 * The Alerts feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller';

@Module({
  controllers: [AlertsController],
})
export class AlertsModule {}
