/**
 * Proofs over HTTP (API-RULES.md §1, issue 5): the provider submits a proof for the lowest open
 * milestone (`POST /proofs`), parties, support and auditors read them (`GET /proofs` with the
 * review queue as `?status=PENDING`, `GET /proofs/{id}`), and the client, support or admin
 * decide on the ones in review (`POST /proofs/{id}/decision`). Decisions are taken on the escrow
 * stream; the answers read the proofs read model once it has applied the command.
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
import { escrowDecider } from '@kob/domain';
import { type Actor, actorLabel, newId } from '@kob/kernel';
import type { EscrowActionResult } from '../payments/shared';
import type { Platform } from '@kob/platform';
import type { ProofServices } from './shared';
import { Access } from '../auth/access.decorator';
import { CurrentActor, userOf } from '../auth/access.guard';
import { checkParty } from '../escrows/escrow-access';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import type { Page } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM, PROOFS } from '../tokens';
import { ProofDecisionBody, ProofListQuery, SubmitProofBody } from './proofs.dto';
import { type ProofRead, asFirstAnswered, proofRowView, proofStateView } from './proofs.view';

const proofNotFound = () => new ApiError(404, 'PROOF_NOT_FOUND', 'Proof not found.');
const escrowNotFound = () => new ApiError(404, 'ESCROW_NOT_FOUND', 'Escrow not found.');

@ApiTags('proofs')
@ApiSecurity('X-API-Key')
@Controller('proofs')
export class ProofsController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PROOFS) private readonly proofs: ProofServices,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('sender')
  @ApiCreatedResponse({
    description: 'The proof: APPROVED (and its milestone paid) or PENDING review with its reasons',
  })
  async submit(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: SubmitProofBody,
  ): Promise<ProofRead> {
    const withFile = body.file_id !== undefined;
    const withClaim = body.storage_url !== undefined || body.sha256 !== undefined;
    if (
      withFile === withClaim ||
      (withClaim && (body.storage_url === undefined || body.sha256 === undefined))
    ) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'give file_id, or storage_url with sha256', {
        fields: { file_id: ['give file_id (an upload), or storage_url and sha256, not both'] },
      });
    }
    const escrowId = routeId(body.escrow_id, escrowNotFound);
    const { state } = await this.platform.commands.read(`escrow-${escrowId}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    checkParty(actor, state, 'provider');
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const result = await this.proofs.service.submit(
      {
        escrowId,
        sequenceIndex: body.milestone_idx,
        proofType: body.type,
        fileId: body.file_id?.toLowerCase() ?? null,
        storageUrl: body.storage_url ?? null,
        sha256: body.sha256?.toLowerCase() ?? null,
        metadata: body.metadata ?? null,
        uploaderUserId: actor.kind === 'api_key' && actor.scope === 'sender' ? userOf(actor) : null,
      },
      metadata,
    );
    return this.answer(reply, result, result.proofId, { submission: true });
  }

  @Get()
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({
    description:
      '{items, total, limit, offset}; `status=PENDING` is the review queue; a sender sees its escrows’ proofs',
  })
  async list(@CurrentActor() actor: Actor, @Query() q: ProofListQuery): Promise<Page<ProofRead>> {
    let query = this.platform.db.selectFrom('proofs');
    if (actor.kind === 'api_key' && actor.scope === 'sender') {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]),
      );
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.escrow_id) query = query.where('escrow_id', '=', q.escrow_id.toLowerCase());
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
      items: rows.map(proofRowView),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'The proof, metadata masked' })
  async get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<ProofRead> {
    return proofRowView(await this.row(actor, routeId(rawId, proofNotFound)));
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Access('sender', 'support')
  @ApiOkResponse({ description: 'The proof after the decision (approve pays the milestone)' })
  async decide(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body() body: ProofDecisionBody,
  ): Promise<ProofRead> {
    const proofId = routeId(rawId, proofNotFound);
    const row = await this.row(actor, proofId, 'client');
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const command = {
      type: 'ReviewProof' as const,
      escrowId: row.escrow_id as string,
      proofId,
      decision: body.decision.startsWith('approve') ? ('approve' as const) : ('reject' as const),
      note: body.note ?? null,
      reviewedBy: actorLabel(actor),
      paymentId: newId(),
      now: metadata.now.toISOString(),
    };
    const result = await this.proofs.actions.run(command.escrowId, command, metadata);
    return this.answer(reply, result, proofId);
  }

  /** The proof row with the party rule applied (in the given role when one is named). */
  private async row(actor: Actor, proofId: string, role?: 'client') {
    const row = await this.platform.db
      .selectFrom('proofs')
      .selectAll()
      .where('id', '=', proofId)
      .executeTakeFirst();
    if (!row) throw proofNotFound();
    checkParty(actor, { clientId: row.client_id, providerId: row.provider_id }, role);
    return row;
  }

  /** The proof as the read model has it once the command is projected (bounded wait). */
  private async answer(
    reply: FastifyReply,
    result: EscrowActionResult,
    proofId: string,
    options: { submission?: boolean } = {},
  ): Promise<ProofRead> {
    await this.ryw.afterCommand(reply, result.position);
    const row = await this.platform.db
      .selectFrom('proofs')
      .selectAll()
      .where('id', '=', proofId)
      .executeTakeFirst();
    // A repeated submission under the same Idempotency-Key answers as the first time, not with
    // today's status (a decision's repeat answers the row, which holds that decision).
    if (row)
      return result.replayed && options.submission
        ? asFirstAnswered(proofRowView(row), result.state, proofId)
        : proofRowView(row);
    // Recorded (and maybe paid) but not projected yet: the stream's view, never an error.
    const proof = result.state.proofs.find((p) => p.proofId === proofId);
    if (!proof) throw proofNotFound();
    void reply.header('X-Projection-Pending', 'true');
    return proofStateView(result.state, proof);
  }
}
