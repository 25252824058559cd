/**
 * A controller mounted only by the HTTP-conventions tests (test/http). There are no business
 * endpoints yet, so these routes stand in for them: a create command on a derived id with an
 * optional Idempotency-Key, a command with a validated body on a path-named stream, a paginated
 * list, a read model query, a route that logs its request headers, and routes that fail the way
 * bugs do (so a 500). They use the same helpers the real controllers will use, so the tests exercise the real edge.
 */
import { Public } from '../../apps/api/src/auth/access.decorator';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  InternalServerErrorException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TallyCommand, tallyDecider } from '@kob/domain';
import { DomainError, Money, systemActor } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { commandMetadata, readIdempotencyKey } from '../../apps/api/src/http/command-context';
import { type Page, PageQuery } from '../../apps/api/src/http/pagination';
import { ReadYourWrites } from '../../apps/api/src/http/read-your-writes';
import { PLATFORM } from '../../apps/api/src/tokens';

/** How many synthetic items `GET /probe/items` lists (more than one maximal page). */
export const PROBE_ITEMS_TOTAL = 230;
/** The message of the errors thrown by `GET /probe/boom/:kind`; tests look for it in logs. */
export const PROBE_BUG_MESSAGE = 'probe bug: an unexpected failure';

export class OpenTallyBody {
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter code such as USD' })
  currency!: string;

  @IsOptional()
  @IsString()
  label?: string;
}

export class AddToTallyBody {
  @Matches(/^\d{1,18}(\.\d{1,18})?$/, {
    message: 'amount must be a decimal string such as "10.50"',
  })
  amount!: string;
}

interface ProbeTally {
  id: string;
  currency: string;
  total: string;
  additions: number;
}

@ApiTags('probe')
@Public()
@Controller('probe')
export class ProbeController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post('tallies')
  @HttpCode(201)
  async open(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: OpenTallyBody,
  ): Promise<ProbeTally> {
    const key = readIdempotencyKey(req, false);
    const currency = this.currency(body.currency);
    const metadata = commandMetadata(req, systemActor('system:test'), key);
    const result = await this.platform.commands.executeWithDerivedId({
      decider: tallyDecider,
      metadata,
      targetStream: (id) => `tally-${id}`,
      command: (id): TallyCommand => {
        return { type: 'OpenTally', tallyId: id, currency, now: metadata.now.toISOString() };
      },
    });
    await this.ryw.afterCommand(reply, result.position);
    return { id: result.id, ...this.view(result.state) };
  }

  @Post('tallies/:id/add')
  @HttpCode(200)
  async add(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AddToTallyBody,
  ): Promise<ProbeTally> {
    const key = readIdempotencyKey(req, false);
    const streamId = `tally-${id}`;
    const { state } = await this.platform.commands.read(streamId, tallyDecider);
    // Precision is checked at the edge (422 AMOUNT_PRECISION); the decider trusts its input.
    const scale = state.exists
      ? Money.parse(body.amount, state.currency, this.platform.config.currencies).scale
      : 0;
    const result = await this.platform.commands.execute({
      streamId,
      decider: tallyDecider,
      metadata: commandMetadata(req, systemActor('system:test'), key),
      command: { type: 'AddToTally', tallyId: id, amount: body.amount, scale, limit: null },
    });
    await this.ryw.afterCommand(reply, result.position);
    return { id, ...this.view(result.state) };
  }

  @Get('items')
  items(@Query() query: PageQuery): Page<{ n: number }> {
    const end = Math.min(PROBE_ITEMS_TOTAL, query.offset + query.limit);
    const items = [];
    for (let n = query.offset; n < end; n++) items.push({ n });
    return { items, total: PROBE_ITEMS_TOTAL, limit: query.limit, offset: query.offset };
  }

  /** The event_stats read model, to see what the projections have applied. */
  @Get('event-stats')
  async eventStats(): Promise<{ items: { category: string; type: string; events: number }[] }> {
    const rows = await this.platform.db
      .selectFrom('event_stats')
      .select(['category', 'type', 'events'])
      // Only the probe's own streams: the app also appends at start (the bootstrap admin key).
      .where('category', '=', 'tally')
      .orderBy('category')
      .orderBy('type')
      .execute();
    return {
      items: rows.map((r: { category: string; type: string; events: string }) => ({
        category: r.category,
        type: r.type,
        events: Number(r.events),
      })),
    };
  }

  /** Logs the request headers as careless code might; the logger must redact the keys. */
  @Get('log-headers')
  logHeaders(@Req() req: FastifyRequest): { logged: true } {
    req.log.info({ headers: req.headers }, 'probe: request headers');
    req.log.info({ request: { headers: req.headers } }, 'probe: nested request headers');
    return { logged: true };
  }

  /**
   * Fails the way a bug does: `plain`, a plain Error; `upstream`, an error carrying another
   * service's `statusCode` (an outbound HTTP client's); `http-500`, a 5xx Nest HttpException.
   */
  @Get('boom/:kind')
  boom(@Param('kind') kind: string): never {
    if (kind === 'upstream') throw Object.assign(new Error(PROBE_BUG_MESSAGE), { statusCode: 401 });
    if (kind === 'http-500') throw new InternalServerErrorException(PROBE_BUG_MESSAGE);
    throw new Error(PROBE_BUG_MESSAGE);
  }

  private currency(code: string): string {
    if (!this.platform.config.currencies.has(code)) {
      throw new DomainError('VALIDATION_ERROR', `unsupported currency ${code}`, 'invalid', {
        fields: { currency: [`must be one of ${[...this.platform.config.currencies.keys()]}`] },
      });
    }
    return code;
  }

  private view(state: { currency: string; total: string; additions: number }) {
    return { currency: state.currency, total: state.total, additions: state.additions };
  }
}
