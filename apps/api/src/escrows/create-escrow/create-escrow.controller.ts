/** `POST /escrows` (API-RULES.md §2): a sender opens an escrow as its client. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { CreateEscrowCommand } from './create-escrow.command';
import { CreateEscrowBody } from './create-escrow.request';

@ApiController('escrows', 'escrows')
export class CreateEscrowController extends CommandController {
  @CommandRoute(201, { dispatches: CreateEscrowCommand, answers: 'The escrow, in DRAFT' })
  create(@Origin() origin: CommandOrigin, @Body() body: CreateEscrowBody) {
    return this.commandBus.execute(
      new CreateEscrowCommand(origin, {
        ...(body.client_id !== undefined ? { clientId: body.client_id.toLowerCase() } : {}),
        ...(body.provider_id !== undefined ? { providerId: body.provider_id.toLowerCase() } : {}),
        ...(body.provider_user_id !== undefined ? { providerNumber: body.provider_user_id } : {}),
        amountTotal: body.amount_total,
        currency: body.currency,
        releaseConditions: body.release_conditions,
        deadlineAt: body.deadline_at,
        domain: body.domain ?? 'private',
      }),
    );
  }
}
