/**
 * The Ledger feature: its controllers, command handlers and query handlers (all reads: nothing
 * here decides anything about money).
 */
import { Module } from '@nestjs/common';
import { GetEscrowLedgerController } from './get-escrow-ledger/get-escrow-ledger.controller';
import { GetEscrowLedgerHandler } from './get-escrow-ledger/get-escrow-ledger.handler';
import { GetLedgerAccountController } from './get-ledger-account/get-ledger-account.controller';
import { GetLedgerAccountHandler } from './get-ledger-account/get-ledger-account.handler';
import { GetTrialBalanceController } from './get-trial-balance/get-trial-balance.controller';
import { GetTrialBalanceHandler } from './get-trial-balance/get-trial-balance.handler';

@Module({
  controllers: [GetLedgerAccountController, GetTrialBalanceController, GetEscrowLedgerController],
  providers: [GetLedgerAccountHandler, GetTrialBalanceHandler, GetEscrowLedgerHandler],
})
export class LedgerModule {}
