/**
 * Escrows over HTTP (API-RULES.md §1 and §2): create, list, read, the summary, milestones and
 * their release, deposits, delivery, client approve and reject, the deadline, and the escrow's
 * payments. Commands decide on the `escrow-{id}` stream (roles come from the stream, never from a
 * read model); commands that start payments send them through the PSP after their append
 * (libs/payments). Queries read the read models; the summary folds the stream itself, so its
 * balances and allowed actions are exactly what the next command will see.
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
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  escrowActionOptions,
  escrowDecider,
  latestPayoutOf,
  userDecider,
  type EscrowCommand,
  type EscrowState,
} from '@kob/domain';
import { type Actor, Money, newId, uuidV5 } from '@kob/kernel';
import type { PaymentServices } from '../payments/shared';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor, userOf } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import { type EscrowRole, checkParty } from './escrow-access';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import type { Page } from '../http/pagination';
import { NoBodyPipe } from '../http/no-body.pipe';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { type PaymentRead, paymentRowView, paymentStateView } from '../payments/payments.view';
import { PAYMENTS, PLATFORM } from '../tokens';
import {
  AddMilestoneBody,
  ClientDecisionBody,
  CreateEscrowBody,
  EscrowListQuery,
  EscrowPaymentsQuery,
  MarkDeliveredBody,
} from './escrows.dto';
import {
  type EscrowRead,
  type EscrowSummary,
  type MilestoneRead,
  escrowRowView,
  escrowStateView,
  escrowSummaryView,
  milestoneRowView,
  milestoneStateView,
} from './escrows.view';

const escrowNotFound = () => new ApiError(404, 'ESCROW_NOT_FOUND', 'Escrow not found.');
const milestoneNotFound = () => new ApiError(404, 'MILESTONE_NOT_FOUND', 'Milestone not found.');

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class EscrowsController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('sender')
  @ApiCreatedResponse({ description: 'The escrow, in DRAFT' })
  async create(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CreateEscrowBody,
  ): Promise<EscrowRead> {
    const clientId = body.client_id.toLowerCase();
    const providerId = body.provider_id.toLowerCase();
    if (actor.kind === 'api_key' && actor.scope === 'sender' && userOf(actor) !== clientId) {
      throw new ApiError(403, 'NOT_OWNER', 'client_id must be your own user');
    }
    const total = Money.parse(
      body.amount_total,
      body.currency,
      this.platform.config.currencies,
      'amount_total',
    );
    const [client, provider] = await Promise.all([this.user(clientId), this.user(providerId)]);
    const domain = body.domain ?? 'private';
    if (domain !== 'private' && client.publicTag !== 'GOV' && client.publicTag !== 'ONG') {
      throw new ApiError(
        403,
        'PUBLIC_DOMAIN_FORBIDDEN',
        'public and aid escrows need a GOV or ONG client',
      );
    }
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.platform.commands.executeWithDerivedId({
      decider: escrowDecider,
      metadata,
      targetStream: (id) => `escrow-${id}`,
      command: (id) => ({
        type: 'CreateEscrow' as const,
        escrowId: id,
        clientId: client.userId,
        providerId: provider.userId,
        amountTotal: total.toString(),
        currency: total.currency,
        scale: total.scale,
        releaseConditions: body.release_conditions,
        deadlineAt: body.deadline_at,
        domain,
        now: metadata.now.toISOString(),
      }),
    });
    await this.ryw.afterCommand(reply, result.position);
    return escrowStateView(result.state);
  }

  @Get()
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: '{items, total, limit, offset}; a sender sees only its escrows' })
  async list(@CurrentActor() actor: Actor, @Query() q: EscrowListQuery): Promise<Page<EscrowRead>> {
    let query = this.platform.db.selectFrom('escrows');
    if (actor.kind === 'api_key' && actor.scope === 'sender') {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]),
      );
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.client_id) query = query.where('client_id', '=', q.client_id.toLowerCase());
    if (q.provider_id) query = query.where('provider_id', '=', q.provider_id.toLowerCase());
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
      items: rows.map(escrowRowView),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }

  @Get('milestones/:milestoneId')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'One milestone' })
  async milestone(
    @CurrentActor() actor: Actor,
    @Param('milestoneId') rawId: string,
  ): Promise<MilestoneRead> {
    const id = routeId(rawId, milestoneNotFound);
    const row = await this.platform.db
      .selectFrom('milestones')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw milestoneNotFound();
    const escrow = await this.escrowRow(actor, row.escrow_id);
    return milestoneRowView(row, escrow.scale);
  }

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'The escrow' })
  async get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<EscrowRead> {
    return escrowRowView(await this.escrowRow(actor, routeId(rawId, escrowNotFound)));
  }

  @Get(':id/milestones')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'Milestones in sequence order' })
  async milestones(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
  ): Promise<MilestoneRead[]> {
    const escrow = await this.escrowRow(actor, routeId(rawId, escrowNotFound));
    const rows = await this.platform.db
      .selectFrom('milestones')
      .selectAll()
      .where('escrow_id', '=', escrow.id)
      .orderBy('sequence_index')
      .execute();
    return rows.map((r) => milestoneRowView(r, escrow.scale));
  }

  @Post(':id/milestones')
  @HttpCode(201)
  @Access('sender')
  @ApiCreatedResponse({ description: 'The milestone, WAITING' })
  async addMilestone(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: AddMilestoneBody,
  ): Promise<MilestoneRead> {
    const escrow = await this.escrowState(actor, routeId(rawId, escrowNotFound), 'client');
    const amount = Money.parse(
      body.amount,
      escrow.currency,
      this.platform.config.currencies,
      'amount',
    );
    const key = readIdempotencyKey(req, false);
    const metadata = commandMetadata(req, actor, key);
    const geo = [body.geofence_lat, body.geofence_lng, body.geofence_radius_m];
    if (geo.some((g) => g !== undefined) && geo.some((g) => g === undefined)) {
      throw new ApiError(
        422,
        'VALIDATION_ERROR',
        'a geofence needs geofence_lat, geofence_lng and geofence_radius_m',
        {
          fields: {
            geofence: ['give all three of geofence_lat, geofence_lng, geofence_radius_m, or none'],
          },
        },
      );
    }
    const milestoneId = metadata.idempotency
      ? uuidV5(`${metadata.idempotency.scope}\n${metadata.idempotency.key}`)
      : newId();
    const result = await this.platform.commands.execute({
      streamId: `escrow-${escrow.escrowId}`,
      decider: escrowDecider,
      command: {
        type: 'AddMilestone',
        escrowId: escrow.escrowId,
        milestoneId,
        label: body.label,
        amount: amount.toString(),
        currency: body.currency,
        sequenceIndex: body.sequence_index,
        proofKind: body.proof_kind ?? null,
        proofRequirements: body.proof_requirements ?? {},
        geofence:
          body.geofence_lat !== undefined
            ? { lat: body.geofence_lat, lng: body.geofence_lng!, radiusM: body.geofence_radius_m! }
            : null,
        now: metadata.now.toISOString(),
      },
      metadata,
    });
    await this.ryw.afterCommand(reply, result.position);
    const added = result.state.milestones.find((m) => m.milestoneId === milestoneId);
    if (!added) throw milestoneNotFound();
    return milestoneStateView(result.state, added);
  }

  @Post(':id/mark-delivered')
  @HttpCode(200)
  @Access('sender')
  @ApiOkResponse({ description: 'The escrow, RELEASABLE' })
  async markDelivered(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: MarkDeliveredBody,
  ): Promise<EscrowRead> {
    const escrow = await this.escrowState(actor, routeId(rawId, escrowNotFound), 'provider');
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.platform.commands.execute({
      streamId: `escrow-${escrow.escrowId}`,
      decider: escrowDecider,
      command: {
        type: 'MarkDelivered',
        escrowId: escrow.escrowId,
        note: body?.note ?? null,
        proofUrl: body?.proof_url ?? null,
        now: metadata.now.toISOString(),
      },
      metadata,
    });
    await this.ryw.afterCommand(reply, result.position);
    return escrowStateView(result.state);
  }

  @Post(':id/client-approve')
  @HttpCode(200)
  @Access('sender')
  @ApiOkResponse({ description: 'The escrow, RELEASED, with the payouts this started' })
  async clientApprove(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: ClientDecisionBody,
  ) {
    const escrow = await this.escrowState(actor, routeId(rawId, escrowNotFound), 'client');
    return this.act(req, reply, actor, escrow, (now) => ({
      type: 'ClientApprove',
      escrowId: escrow.escrowId,
      idSeed: newId(),
      note: body?.note ?? null,
      now,
    }));
  }

  @Post(':id/client-reject')
  @HttpCode(200)
  @Access('sender')
  @ApiOkResponse({
    description: 'The escrow, REFUNDED (or CANCELLED from DRAFT), with the refund this started',
  })
  async clientReject(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: ClientDecisionBody,
  ) {
    const escrow = await this.escrowState(actor, routeId(rawId, escrowNotFound), 'client');
    return this.act(req, reply, actor, escrow, (now) => ({
      type: 'ClientReject',
      escrowId: escrow.escrowId,
      idSeed: newId(),
      note: body?.note ?? null,
      now,
    }));
  }

  @Post(':id/check-deadline')
  @HttpCode(200)
  @Access('sender', 'support')
  @ApiOkResponse({
    description: 'The escrow: unchanged before its deadline, else its on_deadline outcome',
  })
  async checkDeadline(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ) {
    const escrow = await this.escrowState(actor, routeId(rawId, escrowNotFound));
    return this.act(req, reply, actor, escrow, (now) => ({
      type: 'CheckDeadline',
      escrowId: escrow.escrowId,
      idSeed: newId(),
      now,
    }));
  }

  @Post('milestones/:milestoneId/release')
  @HttpCode(200)
  @Access('sender')
  @ApiOkResponse({
    description:
      'The payout of the milestone (a repeat answers the existing payout), with the milestone',
  })
  async release(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('milestoneId') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<PaymentRead & { milestone: MilestoneRead }> {
    const milestoneId = routeId(rawId, milestoneNotFound);
    const row = await this.platform.db
      .selectFrom('milestones')
      .select('escrow_id')
      .where('id', '=', milestoneId)
      .executeTakeFirst();
    if (!row) throw milestoneNotFound();
    const escrow = await this.escrowState(actor, row.escrow_id, 'client');
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const command = {
      type: 'ApproveAndPayMilestone' as const,
      escrowId: escrow.escrowId,
      milestoneId,
      paymentId: newId(),
      source: 'release' as const,
      now: metadata.now.toISOString(),
    };
    const result = await this.payments.actions.run(escrow.escrowId, command, metadata);
    await this.ryw.afterCommand(reply, result.position);
    // The payout this command started (on a replay: the first run's), else the one that exists.
    const started = result.paymentIds[0];
    const payout = started
      ? result.state.payments.find((p) => p.paymentId === started)
      : latestPayoutOf(result.state, milestoneId);
    const milestone = result.state.milestones.find((m) => m.milestoneId === milestoneId);
    if (!payout || !milestone) throw milestoneNotFound();
    return {
      ...paymentStateView(result.state, payout),
      milestone: milestoneStateView(result.state, milestone),
    };
  }

  @Get(':id/summary')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({
    description:
      'The escrow, milestones, deposits, payments, balances and the actions the caller may take',
  })
  async summary(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<EscrowSummary> {
    const escrow = await this.escrowState(actor, routeId(rawId, escrowNotFound));
    const options = escrowActionOptions(escrow, new Date().toISOString());
    const userId = actor.kind === 'api_key' ? actor.userId : null;
    const scope = actor.kind === 'system' ? null : actor.scope;
    const allowed = options.filter((o) => {
      if (scope === 'admin') return true;
      if (o.role === 'party_or_support' && scope === 'support') return true;
      if (scope !== 'sender') return false;
      const isClient = userId === escrow.clientId;
      const isProvider = userId === escrow.providerId;
      return o.role === 'client'
        ? isClient
        : o.role === 'provider'
          ? isProvider
          : isClient || isProvider;
    });
    return escrowSummaryView(
      escrow,
      allowed.map((o) => o.action),
    );
  }

  @Get(':id/payments')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({
    description:
      "{items, total, limit, offset}: the escrow's payments, oldest first; `kind` filters",
  })
  async escrowPayments(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Query() q: EscrowPaymentsQuery,
  ): Promise<Page<PaymentRead>> {
    const escrow = await this.escrowRow(actor, routeId(rawId, escrowNotFound));
    let query = this.platform.db.selectFrom('payments').where('escrow_id', '=', escrow.id);
    if (q.kind) query = query.where('kind', '=', q.kind);
    const [rows, total] = await Promise.all([
      query
        .selectAll()
        .orderBy('initiated_at')
        .orderBy('id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => paymentRowView(r, escrow.scale)),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }

  /** Runs an escrow action that may start payments and answers the escrow with them. */
  private async act(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    escrow: EscrowState,
    command: (now: string) => EscrowCommand,
  ): Promise<EscrowRead & { payments: PaymentRead[] }> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.payments.actions.run(
      escrow.escrowId,
      command(metadata.now.toISOString()),
      metadata,
    );
    await this.ryw.afterCommand(reply, result.position);
    const payments = result.paymentIds.flatMap((id) =>
      result.state.payments.filter((p) => p.paymentId === id),
    );
    return {
      ...escrowStateView(result.state),
      payments: payments.map((p) => paymentStateView(result.state, p)),
    };
  }

  private async user(id: string) {
    const { state } = await this.platform.commands.read(`user-${id}`, userDecider);
    if (!state.exists) throw new ApiError(404, 'USER_NOT_FOUND', `User ${id} not found.`);
    return state;
  }

  /** The escrow as its stream says (authoritative), with the caller's role checked. */
  private async escrowState(actor: Actor, id: string, role?: EscrowRole): Promise<EscrowState> {
    const { state } = await this.platform.commands.read(`escrow-${id}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    checkParty(actor, state, role);
    return state;
  }

  private async escrowRow(actor: Actor, id: string) {
    const row = await this.platform.db
      .selectFrom('escrows')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw escrowNotFound();
    checkParty(actor, { clientId: row.client_id, providerId: row.provider_id });
    return row;
  }
}
