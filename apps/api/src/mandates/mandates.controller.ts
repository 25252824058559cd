/**
 * Usage mandates over HTTP (API-RULES.md §1, KOBATELA-SPEC.md §2.8, §4.13): a sender creates
 * mandates for its own user (admin for anyone), senders read the mandates where they are sender
 * or beneficiary, support/auditor/admin read all, support/admin run the expiry cleanup. Commands
 * decide on the `mandate-{id}` stream (libs/mandates); `GET /mandates/{id}` folds the stream
 * (fresh), the list reads the read model.
 */
import {
  Body,
  Controller,
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
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type MandateState, mandateDecider } from '@kob/domain';
import { type Actor, Money, parseInstantNaiveUtc } from '@kob/kernel';
import { MandateServices } from './shared';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor, userOf } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import { NoBodyPipe } from '../http/no-body.pipe';
import type { Page } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import { CreateMandateBody, MandateListQuery } from './mandates.dto';
import { type UsageMandateRead, mandateRowView, mandateStateView } from './mandates.view';

const mandateNotFound = () => new ApiError(404, 'MANDATE_NOT_FOUND', 'Mandate not found.');

const isSender = (actor: Actor) => actor.kind === 'api_key' && actor.scope === 'sender';

@ApiTags('mandates')
@ApiSecurity('X-API-Key')
@Controller('mandates')
export class MandatesController {
  private readonly mandates: MandateServices;

  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
  ) {
    this.mandates = new MandateServices(platform);
  }

  @Post()
  @HttpCode(201)
  @Access('sender')
  @ApiCreatedResponse({ description: 'The mandate, ACTIVE' })
  async create(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreateMandateBody,
  ): Promise<UsageMandateRead> {
    const senderId = body.sender_id.toLowerCase();
    if (isSender(actor) && userOf(actor) !== senderId) {
      throw new ApiError(403, 'NOT_OWNER', 'sender_id must be your own user');
    }
    const total = Money.parse(
      body.total_amount,
      body.currency,
      this.platform.config.currencies,
      'total_amount',
    );
    if (!total.isPositive()) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'total_amount must be greater than 0', {
        fields: { total_amount: ['must be greater than 0'] },
      });
    }
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.mandates.create(
      {
        senderId,
        beneficiaryId: body.beneficiary_id.toLowerCase(),
        total,
        allowedCategoryId: body.allowed_category_id?.toLowerCase() ?? null,
        allowedMerchantId: body.allowed_merchant_id?.toLowerCase() ?? null,
        expiresAt: utcInstant(body.expires_at),
      },
      metadata,
    );
    await this.ryw.afterCommand(reply, result.position);
    return mandateStateView(result.state);
  }

  @Post('cleanup')
  @HttpCode(202)
  @Access('support')
  @ApiAcceptedResponse({
    description: '{"expired": n}: the ACTIVE mandates past expires_at this call expired',
  })
  async cleanup(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<{ expired: number }> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.mandates.cleanup(metadata);
    await this.ryw.afterCommand(reply, result.position);
    return { expired: result.expired };
  }

  @Get()
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({
    description:
      '{items, total, limit, offset}; a sender sees mandates where it is sender or beneficiary',
  })
  async list(
    @CurrentActor() actor: Actor,
    @Query() q: MandateListQuery,
  ): Promise<Page<UsageMandateRead>> {
    let query = this.platform.db.selectFrom('mandates');
    if (isSender(actor)) {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('sender_id', '=', userId), eb('beneficiary_id', '=', userId)]),
      );
    }
    if (q.sender_id) query = query.where('sender_id', '=', q.sender_id.toLowerCase());
    if (q.beneficiary_id)
      query = query.where('beneficiary_id', '=', q.beneficiary_id.toLowerCase());
    if (q.status) query = query.where('status', '=', q.status);
    const [rows, total] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(mandateRowView),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'The mandate, as its stream says now' })
  async get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UsageMandateRead> {
    const me = isSender(actor) ? userOf(actor) : null;
    const id = routeId(rawId, mandateNotFound);
    const { state } = await this.platform.commands.read(`mandate-${id}`, mandateDecider);
    if (!state.exists) throw mandateNotFound();
    checkOwn(me, state);
    return mandateStateView(state);
  }
}

/**
 * An ISO-8601 instant (`parseInstant`: calendar-checked, years 0001–9999 in UTC); one without an
 * offset is UTC (as in the old service), never local time. Anything else is a 422.
 */
function utcInstant(value: string): string {
  const ms = parseInstantNaiveUtc(value);
  if (Number.isNaN(ms)) {
    throw new ApiError(422, 'VALIDATION_ERROR', 'expires_at is not a valid instant', {
      fields: {
        expires_at: [
          'must be an ISO 8601 date-time YYYY-MM-DDTHH:MM[:SS], UTC unless it names its zone, up to year 9999',
        ],
      },
    });
  }
  return new Date(ms).toISOString();
}

/** A sender (its user `me`) reads only mandates where it is the sender or the beneficiary. */
function checkOwn(me: string | null, state: MandateState): void {
  if (me !== null && me !== state.senderId && me !== state.beneficiaryId) {
    throw new ApiError(403, 'NOT_OWNER', 'this mandate is not yours');
  }
}
