/** `GET /escrows/{id}/summary` (API-RULES.md §1): a party, support, auditor or admin. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import type { EscrowSummary } from '../shared/escrows.view';
import { GetEscrowSummaryQuery } from './get-escrow-summary.query';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class GetEscrowSummaryController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/summary')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetEscrowSummaryQuery)
  @ApiOkResponse({
    description:
      'The escrow, milestones, deposits, payments, balances and the actions the caller may take',
  })
  summary(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<EscrowSummary> {
    return this.queryBus.execute(new GetEscrowSummaryQuery(actor, routeId(rawId, escrowNotFound)));
  }
}
