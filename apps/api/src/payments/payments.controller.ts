/**
 * Payments over HTTP (API-RULES.md §1, §3): read one (parties, support, auditor), send a PENDING
 * one again (`execute`, support), retry a FAILED one (support). A PSP failure or silence never
 * becomes a 5xx: the answer is the payment, FAILED or still PENDING. Payment ids are resolved to
 * their escrow through the payments read model (an immutable fact); every decision is taken on
 * the escrow stream.
 */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { escrowDecider, type EscrowState } from '@kob/domain';
import { type Actor, uuidV5 } from '@kob/kernel';
import { type PaymentServices, latestPosition } from './shared';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { checkParty } from '../escrows/escrow-access';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import { NoBodyPipe } from '../http/no-body.pipe';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PAYMENTS, PLATFORM } from '../tokens';
import { type PaymentRead, paymentRowView, paymentStateView } from './payments.view';

const paymentNotFound = () => new ApiError(404, 'PAYMENT_NOT_FOUND', 'Payment not found.');

@ApiTags('payments')
@ApiSecurity('X-API-Key')
@Controller('payments')
export class PaymentsController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: 'The payment' })
  async get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<PaymentRead> {
    const { row, scale } = await this.find(actor, rawId);
    return paymentRowView(row, scale);
  }

  @Post('execute/:id')
  @HttpCode(200)
  @Access('support')
  @ApiOkResponse({
    description:
      'The payment: SENT, or still PENDING when the PSP did not answer; SENT/SETTLED ones unchanged',
  })
  async execute(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<PaymentRead> {
    const { row } = await this.find(actor, rawId);
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const before = await this.payment(row.escrow_id, row.id);
    if (before.payment.status === 'FAILED') {
      throw new ApiError(
        409,
        'INVALID_STATE_TRANSITION',
        'a FAILED payment is not sent again: retry it (POST /payments/{id}/retry)',
        {
          action: 'execute',
          from: 'FAILED',
          to: 'SENT',
        },
      );
    }
    const sent = await this.payments.sender.send(row.escrow_id, row.id, metadata);
    await this.ryw.afterCommand(reply, sent.position);
    const after = await this.payment(row.escrow_id, row.id);
    return paymentStateView(after.state, after.payment);
  }

  @Post(':id/retry')
  @HttpCode(201)
  @Access('support')
  @ApiCreatedResponse({
    description: 'The new payment that pays the FAILED one (retry_of), as the PSP left it',
  })
  @ApiOkResponse({
    description: 'A SENT or SETTLED payment needs no retry: answered unchanged (200)',
  })
  async retry(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<PaymentRead> {
    const { row } = await this.find(actor, rawId);
    const current = await this.payment(row.escrow_id, row.id);
    if (current.payment.status === 'SENT' || current.payment.status === 'SETTLED') {
      void reply.status(200);
      return paymentStateView(current.state, current.payment);
    }
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    // One retry per failed payment: a fixed id makes concurrent retries one.
    const retryPaymentId = uuidV5(`retry\n${row.id}`);
    const command = {
      type: 'RetryPayment' as const,
      escrowId: row.escrow_id,
      paymentId: row.id,
      retryPaymentId,
      now: metadata.now.toISOString(),
    };
    const result = await this.payments.actions.run(row.escrow_id, command, metadata);
    let position = result.position;
    if (result.paymentIds.length === 0) {
      // A repeat: the retry exists; if the PSP left it PENDING, this is a chance to send it again.
      position = latestPosition([
        position,
        (await this.payments.sender.send(row.escrow_id, retryPaymentId, metadata)).position,
      ]);
    }
    await this.ryw.afterCommand(reply, position);
    const after = await this.payment(row.escrow_id, retryPaymentId);
    return paymentStateView(after.state, after.payment);
  }

  /** The payment's row and its escrow's scale, with the party rule applied. */
  private async find(actor: Actor, rawId: string) {
    const id = routeId(rawId, paymentNotFound);
    const row = await this.platform.db
      .selectFrom('payments')
      .innerJoin('escrows', 'escrows.id', 'payments.escrow_id')
      .selectAll('payments')
      .select(['escrows.scale', 'escrows.client_id', 'escrows.provider_id'])
      .where('payments.id', '=', id)
      .executeTakeFirst();
    if (!row) throw paymentNotFound();
    checkParty(actor, { clientId: row.client_id, providerId: row.provider_id });
    return { row, scale: row.scale as number };
  }

  private async payment(
    escrowId: string,
    paymentId: string,
  ): Promise<{ state: EscrowState; payment: EscrowState['payments'][number] }> {
    const { state } = await this.platform.commands.read(`escrow-${escrowId}`, escrowDecider);
    const payment = state.payments.find((p) => p.paymentId === paymentId);
    if (!payment) throw paymentNotFound();
    return { state, payment };
  }
}
