/** `GET /proofs` (issue 5): the proofs, `?status=PENDING` being the review queue. */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { ProofRead } from '../shared/proofs.view';
import { ListProofsQuery } from './list-proofs.query';
import { ProofListQuery } from './list-proofs.request';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('proofs', 'proofs')
export class ListProofsController extends QueryController {
  @QueryRoute({
    dispatches: ListProofsQuery,
    answers:
      '{items, total, limit, offset}; `status=PENDING` is the review queue; a sender sees its escrows’ proofs',
  })
  list(@CurrentActor() actor: Actor, @Query() q: ProofListQuery): Promise<Page<ProofRead>> {
    return this.queryBus.execute(new ListProofsQuery(actor, q));
  }
}
