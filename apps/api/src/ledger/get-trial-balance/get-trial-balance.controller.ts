/** `GET /ledger/trial-balance` (support, auditor): debits and credits per currency. */
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { TrialBalanceView } from '../shared/ledger.view';
import { GetTrialBalanceQuery } from './get-trial-balance.query';

@ApiTags('ledger')
@ApiSecurity('X-API-Key')
@Controller()
export class GetTrialBalanceController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('ledger/trial-balance')
  @Access('support', 'auditor')
  @Dispatches(GetTrialBalanceQuery)
  @ApiOkResponse({ type: TrialBalanceView, description: 'Debits and credits per currency' })
  trialBalance(): Promise<TrialBalanceView> {
    return this.queryBus.execute(new GetTrialBalanceQuery());
  }
}
