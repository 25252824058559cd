/**
 * Allowed payees and usage spends (API-RULES.md §1, §3; KOBATELA-SPEC §2.9, §4.13):
 * - `POST /spend/allowed` (support, admin) allows a payee on an escrow, with optional daily and
 *   total limits (`payee.allowed.v1` on the escrow stream);
 * - `GET /escrows/{id}/payees` (party, support, auditor, admin) lists them with what was spent;
 * - `POST /spend` (the escrow's client, admin; Idempotency-Key required) pays an allowed payee
 *   out of what the escrow holds: a payment of kind `spend`, initiated on the escrow stream (the
 *   payee, its limits and the balance decided together), then sent through the PSP. Its payment
 *   id is derived from the request's (scope, key), so a retry answers the first spend.
 * A spend refused by a rule raises one alert (`USAGE_*`, API-RULES.md §6) and nothing else, then
 * answers its error; the same request replayed raises no second alert.
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
import { rejectionCause, raiseAlert } from '@kob/platform';
import { type AlertType, type EscrowState, escrowDecider } from '@kob/domain';
import { type Actor, DomainError, Money } from '@kob/kernel';
import type { PaymentServices } from '../payments/shared';
import type { CommandMetadata, Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import { atScale } from '../http/formats';
import { type Page, PageQuery } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { type PaymentRead, paymentStateView } from '../payments/payments.view';
import { PAYMENTS, PLATFORM } from '../tokens';
import { checkParty } from './escrow-access';
import { AllowPayeeBody, SpendBody } from './payees.dto';
import { type PayeeRead, payeeView } from './payees.view';

export interface SpendRead {
  payment_id: string;
  escrow_id: string;
  payee_ref: string;
  amount: string;
  currency: string;
  status: string;
  psp_ref: string | null;
  note: string | null;
  payment: PaymentRead;
}

const escrowNotFound = () => new ApiError(404, 'ESCROW_NOT_FOUND', 'Escrow not found.');

/** The alert each spend rule's refusal raises (API-RULES.md §6). */
const SPEND_ALERTS: Readonly<Record<string, AlertType>> = {
  PAYEE_NOT_ALLOWED: 'USAGE_PAYEE_FORBIDDEN',
  DAILY_LIMIT_REACHED: 'USAGE_DAILY_LIMIT_REJECTED',
  TOTAL_LIMIT_REACHED: 'USAGE_TOTAL_LIMIT_REJECTED',
  INSUFFICIENT_ESCROW_BALANCE: 'USAGE_BALANCE_REJECTED',
  ESCROW_CLOSED: 'USAGE_ESCROW_CLOSED',
};

const amountText = (
  value: string,
  currency: string,
  currencies: ReadonlyMap<string, number>,
  field: string,
) => Money.parse(value, currency, currencies, field).toString();

@ApiTags('spend')
@ApiSecurity('X-API-Key')
@Controller()
export class PayeesController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post('spend/allowed')
  @HttpCode(201)
  @Access('support')
  @ApiCreatedResponse({ description: 'The allowed payee' })
  async allow(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: AllowPayeeBody,
  ): Promise<PayeeRead> {
    const escrowId = body.escrow_id.toLowerCase();
    const escrow = await this.escrow(escrowId);
    const currencies = this.platform.config.currencies;
    const limit = (value: string | null | undefined, field: string) =>
      value === null || value === undefined
        ? null
        : amountText(value, escrow.currency, currencies, field);
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    // The escrow is chosen by the body: the key is claimed as an `idem-…` reservation recording
    // the request (API-RULES.md §4), so the same key naming another escrow is refused.
    const result = await this.platform.commands.executeWithDerivedId({
      decider: escrowDecider,
      targetStream: () => `escrow-${escrowId}`,
      queueOn: 'target',
      command: () => ({
        type: 'AllowPayee' as const,
        escrowId,
        payeeRef: body.payee_ref,
        label: body.label,
        dailyLimit: limit(body.daily_limit, 'daily_limit'),
        totalLimit: limit(body.total_limit, 'total_limit'),
        now: metadata.now.toISOString(),
      }),
      metadata,
    });
    await this.ryw.afterCommand(reply, result.position);
    const payee = result.state.payees.find((p) => p.payeeRef === body.payee_ref)!;
    return payeeView(result.state, payee, metadata.now.toISOString());
  }

  @Get('escrows/:id/payees')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({ description: "The escrow's allowed payees, with what was spent to each" })
  async list(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Query() page: PageQuery,
  ): Promise<Page<PayeeRead>> {
    const escrow = await this.escrow(routeId(rawId, escrowNotFound));
    checkParty(actor, escrow);
    const now = new Date().toISOString();
    const items = escrow.payees
      .slice(page.offset, page.offset + page.limit)
      .map((p) => payeeView(escrow, p, now));
    return { items, total: escrow.payees.length, limit: page.limit, offset: page.offset };
  }

  @Post('spend')
  @HttpCode(200)
  @Access('sender')
  @ApiOkResponse({
    description:
      'The spend: a payment of kind `spend` (SENT, or PENDING/FAILED when the PSP did not accept it)',
  })
  async spend(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: SpendBody,
  ): Promise<SpendRead> {
    const key = readIdempotencyKey(req, true)!;
    const escrowId = body.escrow_id.toLowerCase();
    const escrow = await this.escrow(escrowId);
    checkParty(actor, escrow, 'client');
    const amount = amountText(
      body.amount,
      escrow.currency,
      this.platform.config.currencies,
      'amount',
    );
    const metadata = commandMetadata(req, actor, key);
    const now = metadata.now.toISOString();
    let result;
    try {
      result = await this.payments.actions.runDerived(
        escrowId,
        (paymentId) => ({
          type: 'Spend',
          escrowId,
          paymentId,
          payeeRef: body.payee_ref,
          amount,
          note: body.note ?? null,
          now,
        }),
        metadata,
      );
    } catch (err) {
      await this.alertOnRefusal(err, reply, actor, escrow, body, amount, metadata);
      throw err;
    }
    await this.ryw.afterCommand(reply, result.position);
    const payment = result.state.payments.find((p) => p.paymentId === result.paymentIds[0]);
    if (!payment) throw new Error(`spend ${result.id} answered without its payment`);
    return {
      payment_id: payment.paymentId,
      escrow_id: escrowId,
      payee_ref: payment.beneficiaryId,
      amount: atScale(payment.amount, result.state.currency, result.state.scale),
      currency: result.state.currency,
      status: payment.status,
      psp_ref: payment.pspRef,
      note: body.note ?? null,
      payment: paymentStateView(result.state, payment),
    };
  }

  /** A rule's refusal raises its one alert (a replay names the same alert: none more). */
  private async alertOnRefusal(
    err: unknown,
    reply: FastifyReply,
    actor: Actor,
    escrow: EscrowState,
    body: SpendBody,
    amount: string,
    metadata: CommandMetadata,
  ): Promise<void> {
    if (!(err instanceof DomainError)) return;
    const type = SPEND_ALERTS[err.code];
    if (!type) return;
    const { position } = await raiseAlert(
      this.platform,
      {
        type,
        message: `Usage spend refused: ${err.message}`,
        actorUserId: actor.kind === 'api_key' ? actor.userId : null,
        payload: {
          escrow_id: escrow.escrowId,
          payee_ref: body.payee_ref,
          amount,
          currency: escrow.currency,
          code: err.code,
        },
        cause: rejectionCause('usage-spend', metadata),
      },
      metadata,
    );
    // Visible at GET /alerts by the time the refusal is answered (read-your-writes).
    await this.ryw.afterCommand(reply, position);
  }

  private async escrow(id: string): Promise<EscrowState> {
    const { state } = await this.platform.commands.read(`escrow-${id}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    return state;
  }
}
