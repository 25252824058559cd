/**
 * The Transfers feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { TransfersController } from './transfers.controller';

@Module({
  controllers: [TransfersController],
})
export class TransfersModule {}
