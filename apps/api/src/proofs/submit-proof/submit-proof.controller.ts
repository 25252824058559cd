/** `POST /proofs` (issue 5): the provider submits a proof for the lowest open milestone. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { escrowNotFound } from '../../escrows/shared/escrow-errors';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { SubmitProofCommand } from './submit-proof.command';
import { SubmitProofBody, proofSource } from './submit-proof.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('proofs', 'proofs')
export class SubmitProofController extends CommandController {
  @CommandRoute(201, {
    dispatches: SubmitProofCommand,
    access: ['sender'],
    answers: 'The proof: APPROVED (and its milestone paid) or PENDING review with its reasons',
  })
  submit(@Origin() origin: CommandOrigin, @Body() body: SubmitProofBody) {
    const fileId = proofSource(body);
    const escrowId = routeId(body.escrow_id, escrowNotFound);
    return this.commandBus.execute(new SubmitProofCommand(origin, escrowId, fileId, body));
  }
}
