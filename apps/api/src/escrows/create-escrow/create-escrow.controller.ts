/** `POST /escrows` (API-RULES.md §2): a sender opens an escrow as its client. */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import type { EscrowRead } from '../shared/escrows.view';
import { CreateEscrowCommand } from './create-escrow.command';
import { CreateEscrowBody } from './create-escrow.request';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class CreateEscrowController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Access('sender')
  @Dispatches(CreateEscrowCommand)
  @ApiCreatedResponse({ description: 'The escrow, in DRAFT' })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateEscrowBody,
  ): Promise<Committed<EscrowRead>> {
    return this.commandBus.execute(
      new CreateEscrowCommand(origin, {
        clientId: body.client_id.toLowerCase(),
        providerId: body.provider_id.toLowerCase(),
        amountTotal: body.amount_total,
        currency: body.currency,
        releaseConditions: body.release_conditions,
        deadlineAt: body.deadline_at,
        domain: body.domain ?? 'private',
      }),
    );
  }
}
