/** `POST /escrows/{id}/client-reject` (API-RULES.md §2). */
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
import { ClientRejectCommand } from './client-reject.command';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class ClientRejectController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/client-reject')
  @HttpCode(200)
  @Access('sender')
  @Dispatches(ClientRejectCommand)
  @ApiOkResponse({
    description: 'The escrow, REFUNDED (or CANCELLED from DRAFT), with the refund this started',
  })
  clientReject(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: ClientDecisionBody,
  ): Promise<Committed<EscrowWithPayments>> {
    const escrowId = routeId(rawId, escrowNotFound);
    return this.commandBus.execute(new ClientRejectCommand(origin, escrowId, body?.note ?? null));
  }
}
