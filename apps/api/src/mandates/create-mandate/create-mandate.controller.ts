/** `POST /mandates` (API-RULES.md §1, KOBATELA-SPEC.md §2.8, §4.13): the mandate, ACTIVE. */
import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UsageMandateRead } from '../shared/mandate.view';
import { MandatesController } from '../shared/mandates-controller';
import { CreateMandateCommand } from './create-mandate.command';
import { CreateMandateBody } from './create-mandate.request';
import { CommandDispatcher } from '../shared/dispatchers';

@MandatesController()
export class CreateMandateController extends CommandDispatcher {
  @Post()
  @HttpCode(201)
  @Access('sender')
  @Dispatches(CreateMandateCommand)
  @ApiCreatedResponse({ description: 'The mandate, ACTIVE' })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateMandateBody,
  ): Promise<Committed<UsageMandateRead>> {
    return this.commandBus.execute(new CreateMandateCommand(origin, body));
  }
}
