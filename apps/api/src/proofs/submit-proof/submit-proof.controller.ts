/** `POST /proofs` (issue 5): the provider submits a proof for the lowest open milestone. */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import { escrowNotFound } from '../../escrows/shared/escrow-errors';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { SubmitProofCommand } from './submit-proof.command';
import { SubmitProofBody, assertOneSource } from './submit-proof.request';

@ApiTags('proofs')
@ApiSecurity('X-API-Key')
@Controller('proofs')
export class SubmitProofController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Access('sender')
  @Dispatches(SubmitProofCommand)
  @ApiCreatedResponse({
    description: 'The proof: APPROVED (and its milestone paid) or PENDING review with its reasons',
  })
  submit(@Origin() origin: CommandOrigin, @Body() body: SubmitProofBody) {
    assertOneSource(body);
    const escrowId = routeId(body.escrow_id, escrowNotFound);
    return this.commandBus.execute(new SubmitProofCommand(origin, escrowId, body));
  }
}
