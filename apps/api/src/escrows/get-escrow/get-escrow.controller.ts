/** `GET /escrows/{id}` (API-RULES.md §1): a party, support, auditor or admin. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import type { EscrowRead } from '../shared/escrows.view';
import { GetEscrowQuery } from './get-escrow.query';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class GetEscrowController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetEscrowQuery)
  @ApiOkResponse({ description: 'The escrow' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<EscrowRead> {
    return this.queryBus.execute(new GetEscrowQuery(actor, routeId(rawId, escrowNotFound)));
  }
}
