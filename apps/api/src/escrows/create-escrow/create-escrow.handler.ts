/**
 * Opening an escrow: a sender may only open one as its own client (the client defaults to the
 * caller's user); client and provider must exist, the provider named by id or by user number
 * (FRONTEND-CONTRACT D3, resolved through the user-number sequence, never a read model); the
 * GOV/ONG rule for public and aid escrows is the decider's, on the client's tag read here. The
 * escrow's id is derived from the request's idempotency key when there is one.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { escrowDecider } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { userIdByNumber } from '../../identity/user-numbers';
import { EVENT_STORE, type EventStore } from '../../platform/platform.providers';
import { Inject } from '@nestjs/common';
import { userOf } from '../../auth/access.guard';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { Currencies } from '../../platform/currencies';
import { EscrowReader } from '../shared/escrow-reader';
import type { EscrowRead } from '../shared/escrows.view';
import { CreateEscrowCommand, type NewEscrow } from './create-escrow.command';

const invalid = (field: string, problem: string) =>
  new ApiError(422, 'VALIDATION_ERROR', `${field} ${problem}`, { fields: { [field]: [problem] } });

/** The client: as given, else the caller's own user (a key without one must name it). */
function clientOf(actor: Actor, escrow: NewEscrow): string {
  if (escrow.clientId !== undefined) return escrow.clientId;
  if (actor.kind === 'api_key' && actor.scope === 'sender') return userOf(actor);
  if (actor.kind === 'api_key' && actor.userId) return actor.userId;
  throw invalid('client_id', 'is required for a key that is not linked to a user');
}

@CommandHandler(CreateEscrowCommand)
export class CreateEscrowHandler implements ICommandHandler<CreateEscrowCommand> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly escrows: EscrowReader,
    private readonly currencies: Currencies,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ origin, escrow }: CreateEscrowCommand): Promise<Committed<EscrowRead>> {
    const { actor } = origin;
    if ((escrow.providerId === undefined) === (escrow.providerNumber === undefined)) {
      throw invalid('provider_id', 'or provider_user_id must be given, and only one of them');
    }
    const clientId = clientOf(actor, escrow);
    if (actor.kind === 'api_key' && actor.scope === 'sender' && userOf(actor) !== clientId) {
      throw new ApiError(403, 'NOT_OWNER', 'client_id must be your own user');
    }
    const total = this.currencies.parse(escrow.amountTotal, escrow.currency, 'amount_total');
    const [client, provider] = await Promise.all([
      this.escrows.user(clientId),
      this.provider(escrow),
    ]);
    const metadata = origin.metadata('optional');
    const result = await this.commands.executeWithDerivedId({
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
        releaseConditions: escrow.releaseConditions,
        deadlineAt: escrow.deadlineAt,
        domain: escrow.domain,
        clientPublicTag: client.publicTag,
        now: metadata.now.toISOString(),
      }),
    });
    return new Committed(await this.escrows.view(result.state), result.position);
  }

  /** The provider by id, or by user number (404 USER_NOT_FOUND for a number no user holds). */
  private async provider(escrow: NewEscrow) {
    if (escrow.providerId !== undefined) return this.escrows.user(escrow.providerId);
    const number = escrow.providerNumber!;
    const id = await userIdByNumber({ commands: this.commands, store: this.store }, number);
    if (!id) throw new ApiError(404, 'USER_NOT_FOUND', `No user has number ${number}.`);
    return this.escrows.user(id);
  }
}
