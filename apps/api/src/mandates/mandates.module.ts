/**
 * The Mandates feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { MandatesController } from './mandates.controller';

@Module({
  controllers: [MandatesController],
})
export class MandatesModule {}
