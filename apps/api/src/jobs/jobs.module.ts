/**
 * The scheduler's jobs: each registers itself on the platform's scheduler when the application
 * starts and dispatches its commands through the CommandBus.
 */
import { Module } from '@nestjs/common';

@Module({
  providers: [],
})
export class JobsModule {}
