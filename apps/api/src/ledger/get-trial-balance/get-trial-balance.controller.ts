/** `GET /ledger/trial-balance` (support, auditor): debits and credits per currency. */
import { Get } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { TrialBalanceView } from '../shared/ledger.view';
import { GetTrialBalanceQuery } from './get-trial-balance.query';
import { ApiController, QueryController } from '../../http/routes';

@ApiController('ledger')
export class GetTrialBalanceController extends QueryController {
  @Get('ledger/trial-balance')
  @Access('support', 'auditor')
  @Dispatches(GetTrialBalanceQuery)
  @ApiOkResponse({ type: TrialBalanceView, description: 'Debits and credits per currency' })
  trialBalance(): Promise<TrialBalanceView> {
    return this.queryBus.execute(new GetTrialBalanceQuery());
  }
}
