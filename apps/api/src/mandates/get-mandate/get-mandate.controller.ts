/** `GET /mandates/{id}`: the mandate folded from its stream (fresh). */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { UsageMandateRead } from '../shared/mandate.view';
import { GetMandateQuery, mandateNotFound } from './get-mandate.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('mandates', 'mandates')
export class GetMandateController extends QueryController {
  @QueryRoute({
    path: ':id',
    dispatches: GetMandateQuery,
    answers: 'The mandate, as its stream says now',
  })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UsageMandateRead> {
    return this.queryBus.execute(new GetMandateQuery(actor, routeId(rawId, mandateNotFound)));
  }
}
