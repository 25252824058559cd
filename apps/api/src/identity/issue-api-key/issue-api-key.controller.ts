/**
 * `POST /apikeys` (admin): the key is shown once, only its HMAC is stored. It deliberately
 * ignores Idempotency-Key: a replay could not show the key again (API-RULES.md §4).
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import { Origin } from '../../auth/access.guard';
import { type IssuedApiKeyAnswer, IssueApiKeyCommand } from './issue-api-key.command';
import { CreateApiKeyBody } from './issue-api-key.request';

@ApiTags('api keys')
@ApiSecurity('X-API-Key')
@Controller('apikeys')
export class IssueApiKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Access()
  @Dispatches(IssueApiKeyCommand)
  @ApiCreatedResponse({ description: 'The key, shown this once' })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateApiKeyBody,
  ): Promise<Committed<IssuedApiKeyAnswer>> {
    return this.commandBus.execute(
      new IssueApiKeyCommand(origin, {
        name: body.name,
        scope: body.scope,
        userId: body.user_id?.toLowerCase() ?? null,
        ...(body.days_valid !== undefined ? { daysValid: body.days_valid } : {}),
      }),
    );
  }
}
