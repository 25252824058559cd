/** `GET /proofs/{id}` (issue 5): one proof, its metadata masked. */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { proofNotFound } from '../shared/proof-rows';
import type { ProofRead } from '../shared/proofs.view';
import { GetProofQuery } from './get-proof.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('proofs', 'proofs')
export class GetProofController extends QueryController {
  @QueryRoute({ path: ':id', dispatches: GetProofQuery, answers: 'The proof, metadata masked' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<ProofRead> {
    return this.queryBus.execute(new GetProofQuery(actor, routeId(rawId, proofNotFound)));
  }
}
