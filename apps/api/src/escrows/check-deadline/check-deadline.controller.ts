/** `POST /escrows/{id}/check-deadline` (API-RULES.md §2): no body. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import type { EscrowWithPayments } from '../shared/escrow-commands';
import { escrowNotFound } from '../shared/escrow-errors';
import { CheckDeadlineCommand } from './check-deadline.command';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class CheckDeadlineController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/check-deadline')
  @HttpCode(200)
  @Access('sender', 'support')
  @Dispatches(CheckDeadlineCommand)
  @ApiOkResponse({
    description: 'The escrow: unchanged before its deadline, else its on_deadline outcome',
  })
  checkDeadline(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<Committed<EscrowWithPayments>> {
    const escrowId = routeId(rawId, escrowNotFound);
    return this.commandBus.execute(new CheckDeadlineCommand(origin, escrowId));
  }
}
