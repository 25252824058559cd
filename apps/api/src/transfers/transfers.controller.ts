/**
 * Restricted transfers over HTTP (API-RULES.md §1, KOBATELA-SPEC.md §2.10, §4.14): admin keeps
 * each owner's allowlist of recipients and users' certification levels, and records transactions
 * between users; support, auditors and admin read them.
 *
 * A transaction (Idempotency-Key required; its id derived from the key) is authorised when the
 * receiver is on the sender's allowlist or certified at any level, both read from their streams,
 * never from a read model, and the append is conditional on the revisions read (issue 12). A refusal appends exactly one alert, `UNAUTHORIZED_TRANSFER_ATTEMPT`
 * (a replay of the same request raises none), and nothing else, then answers 403
 * UNAUTHORIZED_TRANSFER; it does not use up its key. Reads write nothing: the audit trail is the
 * events, each naming its actor.
 */
import {
  Body,
  Controller,
  Delete,
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
import { raiseAlert, rejectionCause } from '@kob/platform';
import {
  type TransferAuthorization,
  allowlistDecider,
  certificationDecider,
  transactionDecider,
} from '@kob/domain';
import { type Actor, DomainError, Money } from '@kob/kernel';
import type { CommandMetadata, PinnedReader, Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import { commandMetadata, readIdempotencyKey } from '../http/command-context';
import type { Page } from '../http/pagination';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import {
  AllowlistBody,
  AllowlistEntryQuery,
  AllowlistQuery,
  CertifyBody,
  TransactionBody,
  TransactionListQuery,
} from './transfers.dto';
import {
  type AllowlistEntryRead,
  type CertificationRead,
  type TransactionRead,
  allowlistRowView,
  certificationStateView,
  transactionRowView,
  transactionStateView,
} from './transfers.view';
import { userExists } from '../identity/user-lookup';

/** The currency of a transaction that names none (as the old service did). */
export const TRANSACTION_CURRENCY_DEFAULT = 'USD';

const transactionNotFound = () =>
  new ApiError(404, 'TRANSACTION_NOT_FOUND', 'Transaction not found.');
const certificationNotFound = () =>
  new ApiError(404, 'CERTIFICATION_NOT_FOUND', 'Certification not found.');

@ApiTags('transfers')
@ApiSecurity('X-API-Key')
@Controller()
export class TransfersController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
  ) {}

  @Post('allowlist')
  @HttpCode(201)
  @Access()
  @ApiCreatedResponse({
    description: '{"status":"added"} or {"status":"exists"} (nothing appended)',
  })
  async addRecipient(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: AllowlistBody,
  ): Promise<{ status: 'added' | 'exists' }> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const ownerId = body.owner_id.toLowerCase();
    const recipientId = body.recipient_id.toLowerCase();
    const usersExist = (
      await Promise.all([this.userExists(ownerId), this.userExists(recipientId)])
    ).every(Boolean);
    const result = await this.platform.commands.executeWithDerivedId({
      decider: allowlistDecider,
      metadata,
      queueOn: 'target',
      targetStream: () => `allowlist-${ownerId}`,
      command: () => ({
        type: 'AddRecipient' as const,
        ownerId,
        recipientId,
        usersExist,
        now: metadata.now.toISOString(),
      }),
    });
    await this.ryw.afterCommand(reply, result.position);
    return { status: result.events.length > 0 ? 'added' : 'exists' };
  }

  @Get('allowlist')
  @Access('support', 'auditor')
  @ApiOkResponse({
    description: "{items, total, limit, offset}: the owner's recipients, oldest first",
  })
  async listRecipients(@Query() q: AllowlistQuery): Promise<Page<AllowlistEntryRead>> {
    const ownerId = q.owner_id.toLowerCase();
    if (!(await this.userExists(ownerId)))
      throw new ApiError(404, 'USER_NOT_FOUND', 'User not found.');
    const db = this.platform.db;
    const base = db.selectFrom('allowlist_entries').where('owner_id', '=', ownerId);
    const [rows, total] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at')
        .orderBy('recipient_id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      base.select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(allowlistRowView),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }

  @Delete('allowlist')
  @HttpCode(200)
  @Access()
  @ApiOkResponse({
    description:
      '{"status":"removed"}; 404 USER_NOT_FOUND for an unknown user, ALLOWLIST_ENTRY_NOT_FOUND when absent',
  })
  async removeRecipient(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Query() q: AllowlistEntryQuery,
  ): Promise<{ status: 'removed' }> {
    const ownerId = q.owner_id.toLowerCase();
    const recipientId = q.recipient_id.toLowerCase();
    for (const id of [ownerId, recipientId]) {
      if (!(await this.userExists(id)))
        throw new ApiError(404, 'USER_NOT_FOUND', 'User not found.');
    }
    const metadata = commandMetadata(req, actor);
    const result = await this.platform.commands.execute({
      streamId: `allowlist-${ownerId}`,
      decider: allowlistDecider,
      command: { type: 'RemoveRecipient', ownerId, recipientId, now: metadata.now.toISOString() },
      metadata,
    });
    await this.ryw.afterCommand(reply, result.position);
    return { status: 'removed' };
  }

  @Post('certified')
  @HttpCode(201)
  @Access()
  @ApiCreatedResponse({
    description:
      '{"status":"created"|"updated"|"unchanged"} (unchanged: same level, nothing appended)',
  })
  async certify(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: CertifyBody,
  ): Promise<{ status: 'created' | 'updated' | 'unchanged' }> {
    const metadata = commandMetadata(req, actor, readIdempotencyKey(req, false));
    const userId = body.user_id.toLowerCase();
    const userExists = await this.userExists(userId);
    const result = await this.platform.commands.executeWithDerivedId({
      decider: certificationDecider,
      metadata,
      queueOn: 'target',
      targetStream: () => `certification-${userId}`,
      command: () => ({
        type: 'Certify' as const,
        userId,
        userExists,
        level: body.level,
        now: metadata.now.toISOString(),
      }),
    });
    await this.ryw.afterCommand(reply, result.position);
    const first = result.events[0];
    return { status: !first ? 'unchanged' : first.revision === 0n ? 'created' : 'updated' };
  }

  @Get('certified/:userId')
  @Access('support', 'auditor')
  @ApiOkResponse({ description: '{user_id, level, certified_at}; 404 CERTIFICATION_NOT_FOUND' })
  async certification(@Param('userId') rawId: string): Promise<CertificationRead> {
    const userId = routeId(rawId, certificationNotFound);
    const { state } = await this.platform.commands.read(
      `certification-${userId}`,
      certificationDecider,
    );
    if (!state.exists) throw certificationNotFound();
    return certificationStateView(state);
  }

  @Post('transactions')
  @HttpCode(201)
  @Access()
  @ApiCreatedResponse({
    description: 'The COMPLETED transaction; 403 UNAUTHORIZED_TRANSFER raises an alert',
  })
  async createTransaction(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body() body: TransactionBody,
  ): Promise<TransactionRead> {
    const key = readIdempotencyKey(req, true);
    const senderId = body.sender_id.toLowerCase();
    const receiverId = body.receiver_id.toLowerCase();
    const amount = Money.parse(
      body.amount,
      body.currency ?? TRANSACTION_CURRENCY_DEFAULT,
      this.platform.config.currencies,
      'amount',
    );
    const metadata = commandMetadata(req, actor, key);
    const [senderExists, receiverExists] = await Promise.all([
      this.userExists(senderId),
      this.userExists(receiverId),
    ]);
    let result;
    try {
      result = await this.platform.commands.executeWithFacts({
        decider: transactionDecider,
        metadata,
        kind: 'CompleteTransaction',
        targetStream: (id) => `transaction-${id}`,
        // The allowlist and the certification read are conditions of the append: a removal
        // committed before it makes the command read and decide again (refused), one after it
        // finds the transfer done.
        facts: (reader) => this.authorization(reader, senderId, receiverId),
        command: (id, authorizedBy) => ({
          type: 'CompleteTransaction' as const,
          transactionId: id,
          senderId,
          receiverId,
          usersExist: senderExists && receiverExists,
          amount: amount.toString(),
          currency: amount.currency,
          scale: amount.scale,
          authorizedBy,
          now: metadata.now.toISOString(),
        }),
      });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'UNAUTHORIZED_TRANSFER') {
        await this.alertUnauthorized(reply, senderId, receiverId, amount, metadata);
      }
      throw err;
    }
    await this.ryw.afterCommand(reply, result.position);
    return transactionStateView(result.state);
  }

  @Get('transactions')
  @Access('support', 'auditor')
  @ApiOkResponse({
    description: '{items, total, limit, offset}, oldest first; filters sender_id, receiver_id',
  })
  async listTransactions(@Query() q: TransactionListQuery): Promise<Page<TransactionRead>> {
    const db = this.platform.db;
    let base = db.selectFrom('transactions');
    if (q.sender_id) base = base.where('sender_id', '=', q.sender_id.toLowerCase());
    if (q.receiver_id) base = base.where('receiver_id', '=', q.receiver_id.toLowerCase());
    const [rows, total] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      base.select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(transactionRowView),
      total: Number(total.n),
      limit: q.limit,
      offset: q.offset,
    };
  }

  @Get('transactions/:id')
  @Access('support', 'auditor')
  @ApiOkResponse({ description: 'The transaction; 404 TRANSACTION_NOT_FOUND' })
  async transaction(@Param('id') rawId: string): Promise<TransactionRead> {
    const id = routeId(rawId, transactionNotFound);
    const { state } = await this.platform.commands.read(`transaction-${id}`, transactionDecider);
    if (!state.exists) throw transactionNotFound();
    return transactionStateView(state);
  }

  /** Allowlisted by the sender first (the stronger statement), else the receiver's certification. */
  private async authorization(
    reader: PinnedReader,
    senderId: string,
    receiverId: string,
  ): Promise<TransferAuthorization | null> {
    const [allowlist, certification] = await Promise.all([
      reader.read(`allowlist-${senderId}`, allowlistDecider),
      reader.read(`certification-${receiverId}`, certificationDecider),
    ]);
    if (allowlist.recipientIds.includes(receiverId)) return 'allowlist';
    return certification.exists ? 'certification' : null;
  }

  /** The refusal's one alert: its id comes from the request's scope and key, so a replay adds none. */
  private async alertUnauthorized(
    reply: FastifyReply,
    senderId: string,
    receiverId: string,
    amount: Money,
    metadata: CommandMetadata,
  ): Promise<void> {
    const { position } = await raiseAlert(
      this.platform,
      {
        type: 'UNAUTHORIZED_TRANSFER_ATTEMPT',
        message: 'Receiver is not allowlisted or certified.',
        actorUserId: senderId,
        payload: {
          sender_id: senderId,
          attempted_receiver_id: receiverId,
          amount: amount.toString(),
          currency: amount.currency,
        },
        cause: rejectionCause('transfer', metadata),
      },
      metadata,
    );
    // Visible at GET /alerts by the time the refusal is answered (read-your-writes).
    await this.ryw.afterCommand(reply, position);
  }

  private userExists(id: string): Promise<boolean> {
    return userExists(this.platform, id);
  }
}
