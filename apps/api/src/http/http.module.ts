/**
 * The HTTP infrastructure every feature uses: authentication, rate-limit budgets,
 * read-your-writes, and (until the features own them) the money and proof services.
 */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Authenticator } from '../auth/authenticator';
import type { ProofServices } from '../proofs/shared';
import type { PaymentServices } from '../payments/shared';
import { PROOF_BLOB_STORE } from '../proofs/shared/proof-files.tokens';
import { PAYMENTS, PROOFS } from '../tokens';
import { RequestBudgets } from './rate-limits';
import { ReadYourWrites } from './read-your-writes';

export interface HttpModuleOptions {
  budgets: RequestBudgets;
  payments: PaymentServices;
  proofs: ProofServices;
}

@Global()
@Module({})
export class HttpModule {
  static forRoot(options: HttpModuleOptions): DynamicModule {
    const providers = [
      { provide: RequestBudgets, useValue: options.budgets },
      { provide: PAYMENTS, useValue: options.payments },
      { provide: PROOFS, useValue: options.proofs },
      { provide: PROOF_BLOB_STORE, useValue: options.proofs?.blobs },
      ReadYourWrites,
      Authenticator,
    ];
    const tokens = providers.map((p) => ('provide' in p ? p.provide : p));
    return { module: HttpModule, providers, exports: tokens };
  }
}
