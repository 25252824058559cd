/**
 * Purchases against usage mandates (API-RULES.md §1, §4; KOBATELA-SPEC.md §2.9, §4.13):
 * `POST /spend/purchases` (the mandate's sender or beneficiary, admin; Idempotency-Key required)
 * and `GET /spend/purchases` (a sender sees its own as sender or beneficiary; support, auditor,
 * admin see all). The purchase is decided on the mandate's stream (libs/mandates); a retry with
 * the same key answers with the first purchase, whatever became of the mandate since.
 */
import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, Money } from '@kob/kernel';
import { MandateServices } from '../mandates/shared';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor, userOf } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import type { Page } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { PLATFORM } from '../tokens';
import { CreatePurchaseBody, PurchaseListQuery } from './purchases.dto';
import { type PurchaseRead, purchaseEventView, purchaseRowView } from './purchases.view';

const isSender = (actor: Actor) => actor.kind === 'api_key' && actor.scope === 'sender';

@ApiTags('spend')
@ApiSecurity('X-API-Key')
@Controller('spend')
export class PurchasesController {
  private readonly mandates: MandateServices;

  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
  ) {
    this.mandates = new MandateServices(platform);
  }

  @Post('purchases')
  @HttpCode(201)
  @Access('sender')
  @ApiCreatedResponse({ description: 'The purchase, COMPLETED (a retry: the first purchase)' })
  async create(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreatePurchaseBody,
  ): Promise<PurchaseRead> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, true));
    // First the replay: a retry finds its first purchase even if the mandate is gone since.
    const first = await this.mandates.replayedPurchase(metadata);
    if (first) {
      await this.ryw.afterCommand(reply, first.position);
      return purchaseEventView(first.purchase);
    }
    const senderId = body.sender_id.toLowerCase();
    const beneficiaryId = body.beneficiary_id?.toLowerCase() ?? senderId;
    if (isSender(actor)) {
      const me = userOf(actor);
      if (me !== senderId && me !== beneficiaryId) {
        throw new ApiError(
          403,
          'NOT_OWNER',
          "you are neither this purchase's sender nor its beneficiary",
        );
      }
    }
    const amount = Money.parse(
      body.amount,
      body.currency,
      this.platform.config.currencies,
      'amount',
    );
    if (!amount.isPositive()) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'amount must be greater than 0', {
        fields: { amount: ['must be greater than 0'] },
      });
    }
    const result = await this.mandates.purchase(
      {
        senderId,
        beneficiaryId,
        merchantId: body.merchant_id.toLowerCase(),
        amount,
        categoryId: body.category_id?.toLowerCase() ?? null,
      },
      metadata,
    );
    await this.ryw.afterCommand(reply, result.position);
    return purchaseEventView(result.purchase);
  }

  @Get('purchases')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({
    description:
      '{items, total, limit, offset}; a sender sees purchases where it is sender or beneficiary',
  })
  async list(
    @CurrentActor() actor: Actor,
    @Query() q: PurchaseListQuery,
  ): Promise<Page<PurchaseRead>> {
    let query = this.platform.db
      .selectFrom('purchases as p')
      .innerJoin('mandates as m', 'm.id', 'p.mandate_id');
    if (isSender(actor)) {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('p.sender_id', '=', userId), eb('p.beneficiary_id', '=', userId)]),
      );
    }
    if (q.mandate_id) query = query.where('p.mandate_id', '=', q.mandate_id.toLowerCase());
    if (q.sender_id) query = query.where('p.sender_id', '=', q.sender_id.toLowerCase());
    if (q.beneficiary_id)
      query = query.where('p.beneficiary_id', '=', q.beneficiary_id.toLowerCase());
    const [rows, total] = await Promise.all([
      query
        .selectAll('p')
        .select('m.scale')
        .orderBy('p.created_at')
        .orderBy('p.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(purchaseRowView),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }
}
