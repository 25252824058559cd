/** `POST /proofs/{id}/decision` (issue 5): a decision on a proof in review. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { proofNotFound } from '../shared/proof-rows';
import { DecideProofCommand } from './decide-proof.command';
import { ProofDecisionBody } from './decide-proof.request';

@ApiTags('proofs')
@ApiSecurity('X-API-Key')
@Controller('proofs')
export class DecideProofController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/decision')
  @HttpCode(200)
  @Access('sender', 'support')
  @Dispatches(DecideProofCommand)
  @ApiOkResponse({ description: 'The proof after the decision (approve pays the milestone)' })
  decide(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: ProofDecisionBody,
  ) {
    const proofId = routeId(rawId, proofNotFound);
    return this.commandBus.execute(new DecideProofCommand(origin, proofId, body));
  }
}
