/**
 * The API: the platform's providers, the HTTP infrastructure, one module per feature, the jobs,
 * and the global guards.
 */
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import type { Platform } from '@kob/platform';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { AccessGuard } from './auth/access.guard';
import { EscrowsModule } from './escrows/escrows.module';
import { HealthModule } from './health/health.module';
import { HttpModule } from './http/http.module';
import type { RequestBudgets } from './http/rate-limits';
import { MinEventPositionGuard } from './http/read-your-writes';
import { IdentityModule } from './identity/identity.module';
import { JobsModule } from './jobs/jobs.module';
import { LedgerModule } from './ledger/ledger.module';
import { MandatesModule } from './mandates/mandates.module';
import type { PaymentServices } from './payments/shared';
import { PaymentsModule } from './payments/payments.module';
import { PlatformModule } from './platform/platform.module';
import type { ProofServices } from './proofs/shared';
import { ProofsModule } from './proofs/proofs.module';
import { SpendModule } from './spend/spend.module';
import { TransfersModule } from './transfers/transfers.module';

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

/** The feature modules, in the order their routes are registered. */
export const FEATURE_MODULES = [
  HealthModule,
  IdentityModule,
  EscrowsModule,
  PaymentsModule,
  AuditModule,
  LedgerModule,
  ProofsModule,
  MandatesModule,
  SpendModule,
  TransfersModule,
  AlertsModule,
  JobsModule,
];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        PlatformModule.forRoot(options.platform, options.logger),
        HttpModule.forRoot(options),
        ...FEATURE_MODULES,
      ],
      controllers: options.controllers ?? [],
      providers: [
        // Every route is closed unless it declares @Access(...) or @Public().
        { provide: APP_GUARD, useClass: AccessGuard },
        // Then, on a GET, the read-your-writes wait (commands' answers: http/committed-answers.ts).
        { provide: APP_GUARD, useClass: MinEventPositionGuard },
        ...(options.providers ?? []),
      ],
    };
  }
}
