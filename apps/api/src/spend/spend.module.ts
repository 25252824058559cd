/**
 * The Spend feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { SpendController } from './spend.controller';
import { PurchasesController } from './purchases.controller';

@Module({
  controllers: [SpendController, PurchasesController],
})
export class SpendModule {}
