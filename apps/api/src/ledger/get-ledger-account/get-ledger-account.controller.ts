/** `GET /ledger/accounts/{account}` (support, auditor): the account and its entries, oldest first. */
import { Get, Param, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { PageQuery } from '../../http/pagination';
import { LedgerAccountView } from '../shared/ledger.view';
import { GetLedgerAccountQuery } from './get-ledger-account.query';
import { ApiController, QueryController } from '../../http/routes';

@ApiController('ledger')
export class GetLedgerAccountController extends QueryController {
  @Get('ledger/accounts/:account')
  @Access('support', 'auditor')
  @Dispatches(GetLedgerAccountQuery)
  @ApiOkResponse({
    type: LedgerAccountView,
    description: 'The account and its entries, oldest first',
  })
  @ApiUnprocessableEntityResponse({ description: 'VALIDATION_ERROR: not an account id' })
  @ApiNotFoundResponse({ description: 'LEDGER_ACCOUNT_NOT_FOUND: no entry ever posted to it' })
  account(@Param('account') account: string, @Query() page: PageQuery): Promise<LedgerAccountView> {
    return this.queryBus.execute(new GetLedgerAccountQuery(account, page));
  }
}
