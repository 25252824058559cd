/**
 * Users (API-RULES.md §1): support and admin create them, support/auditor/admin list and read
 * them, a sender reads only its own user, admin changes `is_active` and `public_tag`. Username
 * and email are unique (reservations; 409 USER_EXISTS); `POST /users` honours Idempotency-Key.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { userDecider } from '@kob/domain';
import { type Actor, DomainError, isUuid } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import { type Page, PageQuery } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { CreateUserBody, UpdateUserBody } from './identity.dto';
import { uniquenessKey } from './identity-text';
import { type UserRead, userRowView, userStateView } from './users.view';

const userNotFound = () => new ApiError(404, 'USER_NOT_FOUND', 'User not found.');

@ApiTags('users')
@ApiSecurity('X-API-Key')
@Controller('users')
export class UsersController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('support')
  @ApiCreatedResponse({ description: 'The user' })
  async create(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreateUserBody,
  ): Promise<UserRead> {
    if (body.public_tag !== undefined && actor.kind === 'api_key' && actor.scope !== 'admin') {
      // Setting the public-sector tag is an admin act (PATCH /users/{id} is admin-only too).
      throw new ApiError(403, 'INSUFFICIENT_SCOPE', 'Requires one of: [admin] to set public_tag', {
        required_scopes: ['admin'],
        scope: actor.scope,
      });
    }
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const usernameStream = await this.platform.reservationStream(
      'username',
      uniquenessKey(body.username),
    );
    const emailStream = await this.platform.reservationStream('email', uniquenessKey(body.email));
    const exists = (field: string) => () =>
      new DomainError('USER_EXISTS', `a user with this ${field} already exists`, 'conflict', {
        field,
      });
    const result = await this.platform.commands.executeWithDerivedId({
      decider: userDecider,
      metadata,
      targetStream: (id) => `user-${id}`,
      command: (id) => ({
        type: 'RegisterUser' as const,
        userId: id,
        username: body.username,
        email: body.email,
        isActive: body.is_active ?? true,
        publicTag: body.public_tag ?? null,
        now: metadata.now.toISOString(),
      }),
      claims: (id) => [
        { streamId: usernameStream, owner: `user:${id}`, taken: exists('username') },
        { streamId: emailStream, owner: `user:${id}`, taken: exists('email') },
      ],
    });
    await this.ryw.afterCommand(reply, result.position);
    return userStateView(result.state);
  }

  @Get()
  @Access('support', 'auditor')
  @ApiOkResponse({ description: '{items, total, limit, offset}' })
  async list(@Query() page: PageQuery): Promise<Page<UserRead>> {
    const db = this.platform.db;
    const [rows, total] = await Promise.all([
      db
        .selectFrom('users')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      db.selectFrom('users').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(userRowView),
      total: Number(total.n),
      limit: page.limit,
      offset: page.offset,
    };
  }

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'The user (a sender: its own user only)' })
  async get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UserRead> {
    const id = rawId.toLowerCase();
    if (actor.kind === 'api_key' && actor.scope === 'sender') {
      if (!actor.userId)
        throw new ApiError(403, 'KEY_HAS_NO_USER', 'this API key is not linked to a user');
      if (actor.userId !== id)
        throw new ApiError(403, 'NOT_OWNER', 'a sender may read only its own user');
    }
    if (!isUuid(id)) throw userNotFound();
    const row = await this.platform.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw userNotFound();
    return userRowView(row);
  }

  @Patch(':id')
  @Access()
  @ApiOkResponse({ description: 'The updated user' })
  async update(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: UpdateUserBody,
  ): Promise<UserRead> {
    const id = routeId(rawId, userNotFound);
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.platform.commands.execute({
      streamId: `user-${id}`,
      decider: userDecider,
      command: {
        type: 'UpdateUser',
        userId: id,
        ...(body.is_active !== undefined ? { isActive: body.is_active } : {}),
        ...(body.public_tag !== undefined ? { publicTag: body.public_tag } : {}),
        now: metadata.now.toISOString(),
      },
      metadata,
    });
    // Effective from the next request in this process, whatever the projection's pace.
    // In force before the answer, for every replica: the users read model must have it.
    await this.ryw.requireProjected(reply, result.position);
    return userStateView(result.state);
  }
}
