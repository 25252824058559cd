/**
 * The Escrows feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { DepositController } from './deposit/deposit.controller';
import { DepositHandler } from './deposit/deposit.handler';
import { EscrowsController } from './escrows.controller';
import { PayeesController } from './payees.controller';

@Module({
  controllers: [EscrowsController, PayeesController, DepositController],
  providers: [DepositHandler],
})
export class EscrowsModule {}
