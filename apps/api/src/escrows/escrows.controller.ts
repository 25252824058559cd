/**
 * Escrows over HTTP, first increment: create, list, read, add and read milestones, mark
 * delivered (API-RULES.md §1 and §2). Deposits, releases, approvals, rejections and deadlines
 * arrive with the payment service. Commands decide on the `escrow-{id}` stream (roles come from
 * the stream, never from a read model); queries read the escrows read model.
 */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { escrowDecider, userDecider, type EscrowState } from '../../../../libs/domain/src';
import { type Actor, Money, newId, uuidV5 } from '../../../../libs/kernel/src';
import type { Platform } from '../../../../libs/platform/src';
import { Access } from '../auth/access.decorator';
import { CurrentActor, userOf } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import type { Page } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import { AddMilestoneBody, CreateEscrowBody, DepositBody, EscrowListQuery, MarkDeliveredBody } from './escrows.dto';
import { collectDeposit, type DepositRead } from './deposit';
import { type EscrowRead, type MilestoneRead, escrowRowView, escrowStateView, milestoneRowView, milestoneStateView } from './escrows.view';

const escrowNotFound = () => new ApiError(404, 'ESCROW_NOT_FOUND', 'Escrow not found.');
const milestoneNotFound = () => new ApiError(404, 'MILESTONE_NOT_FOUND', 'Milestone not found.');

type Role = 'client' | 'provider';

/** A sender must be the escrow's party (in the given role when one is named); others pass. */
export function checkParty(actor: Actor, parties: { clientId: string; providerId: string }, role?: Role): void {
  if (actor.kind !== 'api_key' || actor.scope !== 'sender') return;
  const userId = userOf(actor);
  const isClient = userId === parties.clientId;
  const isProvider = userId === parties.providerId;
  if (!isClient && !isProvider) throw new ApiError(403, 'NOT_ESCROW_PARTY', 'you are not a party to this escrow');
  if (role === 'client' && !isClient) throw new ApiError(403, 'NOT_ESCROW_CLIENT', "only the escrow's client may do this");
  if (role === 'provider' && !isProvider) {
    throw new ApiError(403, 'NOT_ESCROW_PROVIDER', "only the escrow's provider may do this");
  }
}

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class EscrowsController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
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
    const total = Money.parse(body.amount_total, body.currency, this.platform.config.currencies, 'amount_total');
    const [client, provider] = await Promise.all([this.user(clientId), this.user(providerId)]);
    const domain = body.domain ?? 'private';
    if (domain !== 'private' && client.publicTag !== 'GOV' && client.publicTag !== 'ONG') {
      throw new ApiError(403, 'PUBLIC_DOMAIN_FORBIDDEN', 'public and aid escrows need a GOV or ONG client');
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
      query = query.where((eb) => eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]));
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.client_id) query = query.where('client_id', '=', q.client_id.toLowerCase());
    if (q.provider_id) query = query.where('provider_id', '=', q.provider_id.toLowerCase());
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('created_at').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(escrowRowView), total: Number(total.n), limit: q.limit, offset: q.offset };
  }

  @Get('milestones/:milestoneId')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'One milestone' })
  async milestone(@CurrentActor() actor: Actor, @Param('milestoneId') rawId: string): Promise<MilestoneRead> {
    const id = routeId(rawId, milestoneNotFound);
    const row = await this.platform.db.selectFrom('milestones').selectAll().where('id', '=', id).executeTakeFirst();
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
  async milestones(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<MilestoneRead[]> {
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
    const amount = Money.parse(body.amount, escrow.currency, this.platform.config.currencies, 'amount');
    const key = readIdempotencyKey(req, false);
    const metadata = commandMetadata(req, actor, key);
    const geo = [body.geofence_lat, body.geofence_lng, body.geofence_radius_m];
    if (geo.some((g) => g !== undefined) && geo.some((g) => g === undefined)) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'a geofence needs geofence_lat, geofence_lng and geofence_radius_m', {
        fields: { geofence: ['give all three of geofence_lat, geofence_lng, geofence_radius_m, or none'] },
      });
    }
    const milestoneId = metadata.idempotency ? uuidV5(`${metadata.idempotency.scope}\n${metadata.idempotency.key}`) : newId();
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

  @Post(':id/deposit')
  @HttpCode(200)
  @Access('sender')
  @ApiOkResponse({ description: 'The escrow, with the deposit (CONFIRMED, PENDING or FAILED)' })
  async deposit(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: DepositBody,
  ): Promise<EscrowRead & { deposit: DepositRead }> {
    const key = readIdempotencyKey(req, true)!;
    const id = routeId(rawId, escrowNotFound);
    const metadata = commandMetadata(req, actor, key);
    const result = await this.platform.commands.exclusive(`escrow-${id}`, async () => {
      const escrow = await this.escrowState(actor, id, 'client');
      const amount = Money.parse(body.amount, escrow.currency, this.platform.config.currencies, 'amount');
      return collectDeposit(this.platform, escrow, amount, metadata);
    });
    await this.ryw.afterCommand(reply, result.position);
    return { ...escrowStateView(result.state), deposit: result.deposit };
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

  private async user(id: string) {
    const { state } = await this.platform.commands.read(`user-${id}`, userDecider);
    if (!state.exists) throw new ApiError(404, 'USER_NOT_FOUND', `User ${id} not found.`);
    return state;
  }

  /** The escrow as its stream says (authoritative), with the caller's role checked. */
  private async escrowState(actor: Actor, id: string, role: Role): Promise<EscrowState> {
    const { state } = await this.platform.commands.read(`escrow-${id}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    checkParty(actor, state, role);
    return state;
  }

  private async escrowRow(actor: Actor, id: string) {
    const row = await this.platform.db.selectFrom('escrows').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw escrowNotFound();
    checkParty(actor, { clientId: row.client_id, providerId: row.provider_id });
    return row;
  }
}
