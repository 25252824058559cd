import { Query } from '@nestjs/cqrs';
import type { TrialBalanceView } from '../shared/ledger.view';

/** Debits and credits per currency (`GET /ledger/trial-balance`). */
export class GetTrialBalanceQuery extends Query<TrialBalanceView> {}
