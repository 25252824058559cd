/**
 * The Ledger feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';

@Module({
  controllers: [LedgerController],
})
export class LedgerModule {}
