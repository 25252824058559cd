/** `GET /mandates/{id}`: the mandate folded from its stream (fresh). */
import { Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Dispatches } from '../../http/dispatches.decorator';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { UsageMandateRead } from '../shared/mandate.view';
import { MandatesController } from '../shared/mandates-controller';
import { GetMandateQuery, mandateNotFound } from './get-mandate.query';

@MandatesController()
export class GetMandateController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetMandateQuery)
  @ApiOkResponse({ description: 'The mandate, as its stream says now' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UsageMandateRead> {
    return this.queryBus.execute(new GetMandateQuery(actor, routeId(rawId, mandateNotFound)));
  }
}
