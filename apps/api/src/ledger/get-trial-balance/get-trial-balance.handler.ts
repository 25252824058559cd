import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { trialBalance } from '../shared/ledger-reads';
import type { TrialBalanceView } from '../shared/ledger.view';
import { GetTrialBalanceQuery } from './get-trial-balance.query';

@QueryHandler(GetTrialBalanceQuery)
export class GetTrialBalanceHandler implements IQueryHandler<GetTrialBalanceQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute(): Promise<TrialBalanceView> {
    return { items: await trialBalance(this.db) };
  }
}
