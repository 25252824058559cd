/**
 * API keys (admin; auditors may read): issuing shows the key once and stores only its HMAC;
 * the prefix is reserved (a collision draws a new key); revoking is effective before the DELETE
 * answers. `POST /apikeys` deliberately ignores Idempotency-Key: a replay could not show the key
 * again (API-RULES.md §4).
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyDecider } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { ApiError } from '../http/api-error';
import { commandMetadata } from '../http/command-context';
import { type Page, PageQuery } from '../http/pagination';
import { AUTH_PROJECTORS, ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { Authenticator } from '../auth/authenticator';
import { CreateApiKeyBody } from './identity.dto';
import { issueApiKey } from './issue-api-key';
import { type ApiKeyRead, apiKeyRowView } from './api-keys.view';
import { requireUser } from './user-lookup';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS_VALID = 90;
const keyNotFound = () => new ApiError(404, 'APIKEY_NOT_FOUND', 'API key not found.');

@ApiTags('api keys')
@ApiSecurity('X-API-Key')
@Controller('apikeys')
export class ApiKeysController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
    private readonly authenticator: Authenticator,
  ) {}

  @Post()
  @HttpCode(201)
  @Access()
  @ApiCreatedResponse({ description: 'The key, shown this once' })
  async create(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreateApiKeyBody,
  ) {
    const userId = body.user_id?.toLowerCase() ?? null;
    if (userId) {
      await requireUser(this.platform, userId, 'Linked user not found.');
    }
    const metadata = commandMetadata(req, actor);
    const daysValid = body.days_valid === undefined ? DEFAULT_DAYS_VALID : body.days_valid;
    const expiresAt =
      daysValid === null
        ? null
        : new Date(metadata.now.getTime() + daysValid * DAY_MS).toISOString();
    const issued = await issueApiKey(this.platform, metadata, {
      name: body.name,
      scope: body.scope,
      userId,
      expiresAt,
    });
    // The key works from this answer on, whatever other read model is behind.
    await this.ryw.afterCommand(reply, issued.position, { projectors: AUTH_PROJECTORS });
    return {
      id: issued.keyId,
      name: body.name,
      prefix: issued.prefix,
      scope: body.scope,
      user_id: userId,
      key: issued.key,
      expires_at: expiresAt,
      created_at: metadata.now.toISOString(),
    };
  }

  @Get()
  @Access('auditor')
  @ApiOkResponse({ description: '{items, total, limit, offset}; never the key or its hash' })
  async list(@Query() page: PageQuery): Promise<Page<ApiKeyRead>> {
    const db = this.platform.db;
    const [rows, total] = await Promise.all([
      this.query()
        .orderBy('k.created_at')
        .orderBy('k.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      db.selectFrom('api_keys').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(apiKeyRowView),
      total: Number(total.n),
      limit: page.limit,
      offset: page.offset,
    };
  }

  @Get(':id')
  @Access('auditor')
  @ApiOkResponse({ description: 'The key (never the key itself or its hash)' })
  async get(@Param('id') rawId: string): Promise<ApiKeyRead> {
    const id = routeId(rawId, keyNotFound);
    const row = await this.query().where('k.id', '=', id).executeTakeFirst();
    if (!row) throw keyNotFound();
    return apiKeyRowView(row);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access()
  @ApiNoContentResponse({ description: 'Revoked; refused from the next request on' })
  async revoke(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
  ): Promise<void> {
    const id = routeId(rawId, keyNotFound);
    const metadata = commandMetadata(req, actor);
    const result = await this.platform.commands.execute({
      streamId: `apikey-${id}`,
      decider: apiKeyDecider,
      command: { type: 'RevokeApiKey', keyId: id, now: metadata.now.toISOString() },
      metadata,
    });
    this.authenticator.keyRevoked(id);
    // In force before the answer, for every replica: the api_keys read model must have it.
    await this.ryw.requireProjected(reply, result.position);
  }

  private query() {
    return this.platform.db
      .selectFrom('api_keys as k')
      .leftJoin('api_key_usage as u', 'u.key_id', 'k.id')
      .leftJoin('users as usr', 'usr.id', 'k.user_id')
      .select([
        'k.id',
        'k.name',
        'k.prefix',
        'k.scope',
        'k.user_id',
        'k.created_at',
        'k.expires_at',
        'k.revoked_at',
        'u.last_used_at',
        'usr.is_active as user_active',
      ]);
  }
}
