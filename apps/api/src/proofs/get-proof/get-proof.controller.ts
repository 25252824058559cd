/** `GET /proofs/{id}` (issue 5): one proof, its metadata masked. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import { proofNotFound } from '../shared/proof-rows';
import type { ProofRead } from '../shared/proofs.view';
import { GetProofQuery } from './get-proof.query';

@ApiTags('proofs')
@ApiSecurity('X-API-Key')
@Controller('proofs')
export class GetProofController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetProofQuery)
  @ApiOkResponse({ description: 'The proof, metadata masked' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<ProofRead> {
    return this.queryBus.execute(new GetProofQuery(actor, routeId(rawId, proofNotFound)));
  }
}
