/** `GET /mandates`: senders (their own), support, auditor and admin (all). */
import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Dispatches } from '../../http/dispatches.decorator';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { UsageMandateRead } from '../shared/mandate.view';
import { MandatesController } from '../shared/mandates-controller';
import { ListMandatesQuery } from './list-mandates.query';
import { MandateListQuery } from './list-mandates.request';

@MandatesController()
export class ListMandatesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListMandatesQuery)
  @ApiOkResponse({
    description:
      '{items, total, limit, offset}; a sender sees mandates where it is sender or beneficiary',
  })
  list(
    @CurrentActor() actor: Actor,
    @Query() q: MandateListQuery,
  ): Promise<Page<UsageMandateRead>> {
    return this.queryBus.execute(new ListMandatesQuery(actor, q));
  }
}
