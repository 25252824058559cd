/** `POST /escrows/{id}/mark-delivered` (API-RULES.md §2): the provider delivered. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { escrowNotFound } from '../shared/escrow-errors';
import type { EscrowRead } from '../shared/escrows.view';
import { MarkDeliveredCommand } from './mark-delivered.command';
import { MarkDeliveredBody } from './mark-delivered.request';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class MarkDeliveredController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/mark-delivered')
  @HttpCode(200)
  @Access('sender')
  @Dispatches(MarkDeliveredCommand)
  @ApiOkResponse({ description: 'The escrow, RELEASABLE' })
  markDelivered(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: MarkDeliveredBody,
  ): Promise<Committed<EscrowRead>> {
    const escrowId = routeId(rawId, escrowNotFound);
    return this.commandBus.execute(
      new MarkDeliveredCommand(origin, escrowId, body?.note ?? null, body?.proof_url ?? null),
    );
  }
}
