/**
 * `@KeylessOrigin()`: the command origin of a request whose route deliberately ignores
 * Idempotency-Key (`POST /apikeys`: a replay could not show the key again, API-RULES.md §4).
 * The header is not read at all, so even a malformed one is no error there.
 */
import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { commandMetadata } from '../../http/command-context';
import type { CommandOrigin } from '../../platform/command-origin';

export const KeylessOrigin = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CommandOrigin => {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const actor = req.actor;
    if (!actor) throw new ApiError(401, 'NO_API_KEY', 'API key required.');
    const metadata = commandMetadata(req, actor);
    return { actor, metadata: () => metadata };
  },
);
