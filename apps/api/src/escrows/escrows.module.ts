/**
 * The Escrows feature: one folder per use case (controller, request, command or query, handler),
 * the pieces several share in shared/ (escrow access, the escrow reader, the command runs and
 * their answers, views, pages). Usage payees and spends hang off an escrow, so they live here, as do
 * the web frontend's sender dashboard and provider inbox (lists of a party's escrows).
 */
import { Module } from '@nestjs/common';
import { AddMilestoneController } from './add-milestone/add-milestone.controller';
import { AddMilestoneHandler } from './add-milestone/add-milestone.handler';
import { AllowPayeeController } from './allow-payee/allow-payee.controller';
import { AllowPayeeHandler } from './allow-payee/allow-payee.handler';
import { CheckDeadlineController } from './check-deadline/check-deadline.controller';
import { CheckDeadlineHandler } from './check-deadline/check-deadline.handler';
import { ClientApproveController } from './client-approve/client-approve.controller';
import { ClientApproveHandler } from './client-approve/client-approve.handler';
import { ClientRejectController } from './client-reject/client-reject.controller';
import { ClientRejectHandler } from './client-reject/client-reject.handler';
import { CreateEscrowController } from './create-escrow/create-escrow.controller';
import { CreateEscrowHandler } from './create-escrow/create-escrow.handler';
import { DepositController } from './deposit/deposit.controller';
import { DepositHandler } from './deposit/deposit.handler';
import { GetEscrowController } from './get-escrow/get-escrow.controller';
import { GetEscrowHandler } from './get-escrow/get-escrow.handler';
import { GetEscrowSummaryController } from './get-escrow-summary/get-escrow-summary.controller';
import { GetEscrowSummaryHandler } from './get-escrow-summary/get-escrow-summary.handler';
import { GetMilestoneController } from './get-milestone/get-milestone.controller';
import { GetMilestoneHandler } from './get-milestone/get-milestone.handler';
import { ListEscrowPaymentsController } from './list-escrow-payments/list-escrow-payments.controller';
import { ListEscrowPaymentsHandler } from './list-escrow-payments/list-escrow-payments.handler';
import { ListEscrowsController } from './list-escrows/list-escrows.controller';
import { ListEscrowsHandler } from './list-escrows/list-escrows.handler';
import { ListMilestonesController } from './list-milestones/list-milestones.controller';
import { ListMilestonesHandler } from './list-milestones/list-milestones.handler';
import { ListPayeesController } from './list-payees/list-payees.controller';
import { ListPayeesHandler } from './list-payees/list-payees.handler';
import { MarkDeliveredController } from './mark-delivered/mark-delivered.controller';
import { MarkDeliveredHandler } from './mark-delivered/mark-delivered.handler';
import { ProviderInboxController } from './provider-inbox/provider-inbox.controller';
import { ListProviderInboxHandler } from './provider-inbox/provider-inbox.handler';
import { ReleaseMilestoneController } from './release-milestone/release-milestone.controller';
import { ReleaseMilestoneHandler } from './release-milestone/release-milestone.handler';
import { SenderDashboardController } from './sender-dashboard/sender-dashboard.controller';
import { GetSenderDashboardHandler } from './sender-dashboard/sender-dashboard.handler';
import { SpendUsageController } from './spend-usage/spend-usage.controller';
import { SpendUsageHandler } from './spend-usage/spend-usage.handler';
import { EscrowCommands } from './shared/escrow-commands';
import { EscrowReader } from './shared/escrow-reader';

@Module({
  controllers: [
    AddMilestoneController,
    AllowPayeeController,
    CheckDeadlineController,
    ClientApproveController,
    ClientRejectController,
    CreateEscrowController,
    DepositController,
    GetEscrowController,
    GetEscrowSummaryController,
    GetMilestoneController,
    ListEscrowPaymentsController,
    ListEscrowsController,
    ListMilestonesController,
    ListPayeesController,
    MarkDeliveredController,
    ProviderInboxController,
    ReleaseMilestoneController,
    SenderDashboardController,
    SpendUsageController,
  ],
  providers: [
    EscrowReader,
    EscrowCommands,
    AddMilestoneHandler,
    AllowPayeeHandler,
    CheckDeadlineHandler,
    ClientApproveHandler,
    ClientRejectHandler,
    CreateEscrowHandler,
    DepositHandler,
    GetEscrowHandler,
    GetEscrowSummaryHandler,
    GetMilestoneHandler,
    ListEscrowPaymentsHandler,
    ListEscrowsHandler,
    ListMilestonesHandler,
    ListPayeesHandler,
    MarkDeliveredHandler,
    ListProviderInboxHandler,
    ReleaseMilestoneHandler,
    GetSenderDashboardHandler,
    SpendUsageHandler,
  ],
})
export class EscrowsModule {}
