/**
 * The spend catalogue over HTTP (API-RULES.md §1, KOBATELA-SPEC.md §2.9): support and admin
 * create categories (unique code) and merchants (unique name, optional existing category), and
 * allow an owner one merchant or one category; senders, support and auditors list the catalogue.
 * Codes and names are unique case-insensitively through reservations claimed in the creating
 * append (409 CATEGORY_EXISTS / MERCHANT_EXISTS). Existence checks read the streams, never a read
 * model. Every POST honours Idempotency-Key when present. Purchases and allowed payees live in
 * their own controllers.
 */
import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { merchantDecider, spendCategoryDecider, usageAllowDecider } from '@kob/domain';
import { type Actor, DomainError } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import { type Page, PageQuery } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { uniquenessKey } from '../identity/identity-text';
import { PLATFORM } from '../tokens';
import { AllowUsageBody, CreateCategoryBody, CreateMerchantBody } from './spend.dto';
import {
  type CategoryRead,
  type MerchantRead,
  categoryRowView,
  categoryStateView,
  merchantRowView,
  merchantStateView,
} from './spend.view';
import { userExists } from '../identity/user-lookup';

export interface AllowStatus {
  status: 'added' | 'exists';
}

@ApiTags('spend')
@ApiSecurity('X-API-Key')
@Controller('spend')
export class SpendController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post('categories')
  @HttpCode(201)
  @Access('support')
  @ApiCreatedResponse({ description: 'The category; 409 CATEGORY_EXISTS for a code already taken' })
  async createCategory(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreateCategoryBody,
  ): Promise<CategoryRead> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const codeStream = await this.platform.reservationStream(
      'spend-category-code',
      uniquenessKey(body.code),
    );
    const result = await this.platform.commands.executeWithDerivedId({
      decider: spendCategoryDecider,
      metadata,
      targetStream: (id) => `spend_category-${id}`,
      command: (id) => ({
        type: 'CreateSpendCategory' as const,
        categoryId: id,
        code: body.code,
        label: body.label,
        now: metadata.now.toISOString(),
      }),
      claims: (id) => [
        {
          streamId: codeStream,
          owner: `spend_category:${id}`,
          taken: () =>
            new DomainError(
              'CATEGORY_EXISTS',
              'A category with this code already exists.',
              'conflict',
              { field: 'code' },
            ),
        },
      ],
    });
    await this.ryw.afterCommand(reply, result.position);
    return categoryStateView(result.state);
  }

  @Get('categories')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: '{items, total, limit, offset}, oldest first' })
  async listCategories(@Query() page: PageQuery): Promise<Page<CategoryRead>> {
    const db = this.platform.db;
    const [rows, total] = await Promise.all([
      db
        .selectFrom('spend_categories')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      db
        .selectFrom('spend_categories')
        .select(db.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(categoryRowView),
      total: Number(total.n),
      limit: page.limit,
      offset: page.offset,
    };
  }

  @Post('merchants')
  @HttpCode(201)
  @Access('support')
  @ApiCreatedResponse({ description: 'The merchant; 404 CATEGORY_NOT_FOUND, 409 MERCHANT_EXISTS' })
  async createMerchant(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreateMerchantBody,
  ): Promise<MerchantRead> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const categoryId = body.category_id ? body.category_id.toLowerCase() : null;
    const categoryExists = categoryId !== null && (await this.categoryExists(categoryId));
    const nameStream = await this.platform.reservationStream(
      'merchant-name',
      uniquenessKey(body.name),
    );
    const result = await this.platform.commands.executeWithDerivedId({
      decider: merchantDecider,
      metadata,
      targetStream: (id) => `merchant-${id}`,
      command: (id) => ({
        type: 'CreateMerchant' as const,
        merchantId: id,
        name: body.name,
        categoryId,
        categoryExists,
        isCertified: body.is_certified ?? false,
        now: metadata.now.toISOString(),
      }),
      claims: (id) => [
        {
          streamId: nameStream,
          owner: `merchant:${id}`,
          taken: () =>
            new DomainError(
              'MERCHANT_EXISTS',
              'A merchant with this name already exists.',
              'conflict',
              { field: 'name' },
            ),
        },
      ],
    });
    await this.ryw.afterCommand(reply, result.position);
    return merchantStateView(result.state);
  }

  @Get('merchants')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: '{items, total, limit, offset}, oldest first' })
  async listMerchants(@Query() page: PageQuery): Promise<Page<MerchantRead>> {
    const db = this.platform.db;
    const [rows, total] = await Promise.all([
      db
        .selectFrom('merchants')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      db.selectFrom('merchants').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(merchantRowView),
      total: Number(total.n),
      limit: page.limit,
      offset: page.offset,
    };
  }

  @Post('allow')
  @HttpCode(201)
  @Access('support')
  @ApiCreatedResponse({
    description: '{"status":"added"} or {"status":"exists"} (nothing appended)',
  })
  async allow(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: AllowUsageBody,
  ): Promise<AllowStatus> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const ownerId = body.owner_id.toLowerCase();
    const merchantId = body.merchant_id ? body.merchant_id.toLowerCase() : null;
    const categoryId = body.category_id ? body.category_id.toLowerCase() : null;
    const [ownerExists, targetExists] = await Promise.all([
      userExists(this.platform, ownerId),
      merchantId !== null
        ? this.platform.commands
            .read(`merchant-${merchantId}`, merchantDecider)
            .then((r) => r.state.exists)
        : categoryId !== null
          ? this.categoryExists(categoryId)
          : Promise.resolve(false),
    ]);
    // The owner's stream is chosen by the body: the key's own reservation (derived id) makes a
    // replay find the first answer and a reuse with another body a 422.
    const result = await this.platform.commands.executeWithDerivedId({
      decider: usageAllowDecider,
      metadata,
      queueOn: 'target',
      targetStream: () => `usage_allow-${ownerId}`,
      command: () => ({
        type: 'AllowUsage' as const,
        ownerId,
        ownerExists,
        merchantId,
        categoryId,
        targetExists,
        now: metadata.now.toISOString(),
      }),
    });
    await this.ryw.afterCommand(reply, result.position);
    return { status: result.events.length > 0 ? 'added' : 'exists' };
  }

  private async categoryExists(id: string): Promise<boolean> {
    const { state } = await this.platform.commands.read(
      `spend_category-${id}`,
      spendCategoryDecider,
    );
    return state.exists;
  }
}
