/** `GET /escrows` (API-RULES.md §1): filtered by status, client, provider; paged. */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import type { Page } from '../../http/pagination';
import type { EscrowRead } from '../shared/escrows.view';
import { ListEscrowsQuery } from './list-escrows.query';
import { EscrowListQuery } from './list-escrows.request';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class ListEscrowsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListEscrowsQuery)
  @ApiOkResponse({ description: '{items, total, limit, offset}; a sender sees only its escrows' })
  list(@CurrentActor() actor: Actor, @Query() q: EscrowListQuery): Promise<Page<EscrowRead>> {
    return this.queryBus.execute(new ListEscrowsQuery(actor, q));
  }
}
