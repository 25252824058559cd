/** `POST /escrows/{id}/client-approve` (API-RULES.md §2). */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { ClientDecisionBody } from '../shared/client-decision.request';
import type { EscrowWithPayments } from '../shared/escrow-commands';
import { escrowNotFound } from '../shared/escrow-errors';
import { ClientApproveCommand } from './client-approve.command';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class ClientApproveController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/client-approve')
  @HttpCode(200)
  @Access('sender')
  @Dispatches(ClientApproveCommand)
  @ApiOkResponse({ description: 'The escrow, RELEASED, with the payouts this started' })
  clientApprove(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: ClientDecisionBody,
  ): Promise<Committed<EscrowWithPayments>> {
    const escrowId = routeId(rawId, escrowNotFound);
    return this.commandBus.execute(new ClientApproveCommand(origin, escrowId, body?.note ?? null));
  }
}
