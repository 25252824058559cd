/** `GET /escrows/{id}/ledger` (its parties, support, auditor): entries and held balance. */
import { Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { escrowNotFound } from '../../escrows/shared/escrow-errors';
import { Dispatches } from '../../http/dispatches.decorator';
import { PageQuery } from '../../http/pagination';
import { routeId } from '../../http/route-id';
import { EscrowLedgerView } from '../shared/ledger.view';
import { GetEscrowLedgerQuery } from './get-escrow-ledger.query';
import { ApiController, QueryController } from '../../http/routes';

@ApiController('ledger')
export class GetEscrowLedgerController extends QueryController {
  @Get('escrows/:id/ledger')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetEscrowLedgerQuery)
  @ApiOkResponse({
    type: EscrowLedgerView,
    description: "The escrow's entries (oldest first) and held balance",
  })
  @ApiNotFoundResponse({ description: 'ESCROW_NOT_FOUND' })
  escrowLedger(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Query() page: PageQuery,
  ): Promise<EscrowLedgerView> {
    return this.queryBus.execute(
      new GetEscrowLedgerQuery(actor, routeId(rawId, escrowNotFound), page),
    );
  }
}
