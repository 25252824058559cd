import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import type { PaymentServices } from './payments/shared';
import type { ProofServices } from './proofs/shared';
import type { Platform } from '@kob/platform';
import { AlertsController } from './alerts/alerts.controller';
import { AuditController } from './audit/audit.controller';
import { AccessGuard } from './auth/access.guard';
import { Authenticator } from './auth/authenticator';
import { EscrowsController } from './escrows/escrows.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { RequestBudgets } from './http/rate-limits';
import { MinEventPositionInterceptor, ReadYourWrites } from './http/read-your-writes';
import { TracingInterceptor } from './http/tracing.interceptor';
import { ApiKeysController } from './identity/api-keys.controller';
import { BootstrapAdminKey } from './identity/bootstrap-admin-key';
import { UsersController } from './identity/users.controller';
import { PayeesController } from './escrows/payees.controller';
import { LedgerController } from './ledger/ledger.controller';
import { MandatesController } from './mandates/mandates.controller';
import { PurchasesController } from './spend/purchases.controller';
import { SpendController } from './spend/spend.controller';
import { TransfersController } from './transfers/transfers.controller';
import { PaymentsController } from './payments/payments.controller';
import { ProofFilesController } from './proofs/proof-files.controller';
import { PspWebhookController } from './payments/psp-webhook.controller';
import { ProofServicesShutdown } from './proofs/proof-services.shutdown';
import { ProofsController } from './proofs/proofs.controller';
import { PROOF_BLOB_STORE } from './proofs/proof-files.tokens';
import { LOGGER, PAYMENTS, PLATFORM, PROOFS } from './tokens';

export interface AppModuleOptions {
  platform: Platform;
  logger: Logger;
  /** The money services (shared with the scheduler's jobs in main.ts). */
  payments: PaymentServices;
  /** The proof services (their OCR worker stops when the app closes). */
  proofs: ProofServices;
  /** The rate limits; the access guard charges each verified key's budget. */
  budgets: RequestBudgets;
  /** Extra controllers and providers (tests mount probes of the HTTP conventions here). */
  controllers?: Type[];
  providers?: Type[];
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [
        HealthController,
        MetricsController,
        UsersController,
        ApiKeysController,
        EscrowsController,
        PaymentsController,
        PspWebhookController,
        AuditController,
        LedgerController,
        ProofFilesController,
        ProofsController,
        MandatesController,
        SpendController,
        PurchasesController,
        PayeesController,
        TransfersController,
        AlertsController,
        ...(options.controllers ?? []),
      ],
      providers: [
        { provide: PLATFORM, useValue: options.platform },
        { provide: LOGGER, useValue: options.logger },
        { provide: PAYMENTS, useValue: options.payments },
        { provide: PROOFS, useValue: options.proofs },
        { provide: RequestBudgets, useValue: options.budgets },
        { provide: PROOF_BLOB_STORE, useValue: options.proofs?.blobs },
        ProofServicesShutdown,
        ReadYourWrites,
        Authenticator,
        // Every route is closed unless it declares @Access(...) or @Public().
        { provide: APP_GUARD, useClass: AccessGuard },
        BootstrapAdminKey,
        // Interceptors run in this order: the trace span wraps the read-your-writes wait.
        { provide: APP_INTERCEPTOR, useClass: TracingInterceptor },
        { provide: APP_INTERCEPTOR, useClass: MinEventPositionInterceptor },
        ...(options.providers ?? []),
      ],
    };
  }
}
