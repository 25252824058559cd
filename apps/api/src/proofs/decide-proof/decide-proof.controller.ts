/** `POST /proofs/{id}/decision` (issue 5): a decision on a proof in review. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { proofNotFound } from '../shared/proof-rows';
import { DecideProofCommand } from './decide-proof.command';
import { ProofDecisionBody, decisionNote } from './decide-proof.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('proofs', 'proofs')
export class DecideProofController extends CommandController {
  @CommandRoute(200, {
    path: ':id/decision',
    dispatches: DecideProofCommand,
    access: ['sender', 'support'],
    answers: 'The proof after the decision (approve pays the milestone)',
  })
  decide(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: ProofDecisionBody,
  ) {
    const proofId = routeId(rawId, proofNotFound);
    const note = decisionNote(body);
    return this.commandBus.execute(new DecideProofCommand(origin, proofId, body, note));
  }
}
