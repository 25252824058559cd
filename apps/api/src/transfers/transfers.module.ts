/**
 * The Transfers feature (KOBATELA-SPEC.md §2.10): admin keeps each owner's allowlist of
 * recipients and users' certification levels, and records transactions between users; support,
 * auditors and admin read them. Its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { AddRecipientController } from './add-recipient/add-recipient.controller';
import { AddRecipientHandler } from './add-recipient/add-recipient.handler';
import { CertifyController } from './certify/certify.controller';
import { CertifyHandler } from './certify/certify.handler';
import { CompleteTransactionController } from './complete-transaction/complete-transaction.controller';
import { CompleteTransactionHandler } from './complete-transaction/complete-transaction.handler';
import { GetCertificationController } from './get-certification/get-certification.controller';
import { GetCertificationHandler } from './get-certification/get-certification.handler';
import { GetTransactionController } from './get-transaction/get-transaction.controller';
import { GetTransactionHandler } from './get-transaction/get-transaction.handler';
import { ListRecipientsController } from './list-recipients/list-recipients.controller';
import { ListRecipientsHandler } from './list-recipients/list-recipients.handler';
import { ListTransactionsController } from './list-transactions/list-transactions.controller';
import { ListTransactionsHandler } from './list-transactions/list-transactions.handler';
import { RemoveRecipientController } from './remove-recipient/remove-recipient.controller';
import { RemoveRecipientHandler } from './remove-recipient/remove-recipient.handler';

@Module({
  controllers: [
    AddRecipientController,
    ListRecipientsController,
    RemoveRecipientController,
    CertifyController,
    GetCertificationController,
    CompleteTransactionController,
    ListTransactionsController,
    GetTransactionController,
  ],
  providers: [
    AddRecipientHandler,
    RemoveRecipientHandler,
    CertifyHandler,
    CompleteTransactionHandler,
    ListRecipientsHandler,
    GetCertificationHandler,
    ListTransactionsHandler,
    GetTransactionHandler,
  ],
})
export class TransfersModule {}
