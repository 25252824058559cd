/** `GET /proofs` (issue 5): the proofs, `?status=PENDING` being the review queue. */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import type { Page } from '../../http/pagination';
import type { ProofRead } from '../shared/proofs.view';
import { ListProofsQuery } from './list-proofs.query';
import { ProofListQuery } from './list-proofs.request';

@ApiTags('proofs')
@ApiSecurity('X-API-Key')
@Controller('proofs')
export class ListProofsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListProofsQuery)
  @ApiOkResponse({
    description:
      '{items, total, limit, offset}; `status=PENDING` is the review queue; a sender sees its escrows’ proofs',
  })
  list(@CurrentActor() actor: Actor, @Query() q: ProofListQuery): Promise<Page<ProofRead>> {
    return this.queryBus.execute(new ListProofsQuery(actor, q));
  }
}
