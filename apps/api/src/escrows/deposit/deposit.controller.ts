/** `POST /escrows/{id}/deposit` (API-RULES.md §3): the client funds its escrow. */
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
import { type DepositAnswer, DepositCommand } from './deposit.command';
import { DepositBody } from './deposit.request';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class DepositController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/deposit')
  @HttpCode(200)
  @Access('sender')
  @Dispatches(DepositCommand)
  @ApiOkResponse({
    description: 'The escrow, with the deposit (CONFIRMED, PENDING, FAILED or REFUNDED)',
  })
  deposit(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: DepositBody,
  ): Promise<Committed<DepositAnswer>> {
    // The key is refused before the id, as ever: a deposit without one is 400 whatever it names.
    origin.metadata('required');
    return this.commandBus.execute(
      new DepositCommand(origin, routeId(rawId, escrowNotFound), body.amount),
    );
  }
}
