/**
 * `POST /apikeys` (admin): the key is shown once, only its HMAC is stored. It deliberately
 * ignores Idempotency-Key: a replay could not show the key again (API-RULES.md §4).
 */
import { Body } from '@nestjs/common';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { Origin } from '../../auth/access.guard';
import { type IssuedApiKeyAnswer, IssueApiKeyCommand } from './issue-api-key.command';
import { CreateApiKeyBody } from './issue-api-key.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('api keys', 'apikeys')
export class IssueApiKeyController extends CommandController {
  @CommandRoute(201, {
    dispatches: IssueApiKeyCommand,
    access: [],
    answers: 'The key, shown this once',
  })
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
