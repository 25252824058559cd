/** `GET /mandates/{id}`: the mandate folded from its stream (fresh). */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { UsageMandateRead } from '../shared/mandate.view';
import { MandatesController } from '../shared/mandates-controller';
import { GetMandateQuery, mandateNotFound } from './get-mandate.query';
import { ReadRoute } from '../shared/read-route';
import { QueryDispatcher } from '../shared/dispatchers';

@MandatesController()
export class GetMandateController extends QueryDispatcher {
  @ReadRoute(':id', GetMandateQuery, 'The mandate, as its stream says now')
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UsageMandateRead> {
    return this.queryBus.execute(new GetMandateQuery(actor, routeId(rawId, mandateNotFound)));
  }
}
