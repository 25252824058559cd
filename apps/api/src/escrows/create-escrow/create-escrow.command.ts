import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { EscrowRead } from '../shared/escrows.view';

export interface NewEscrow {
  /** absent: the caller's own user */
  clientId?: string;
  /** the provider by id, or (`providerNumber`) by its user number: exactly one of them */
  providerId?: string;
  providerNumber?: number;
  /** A decimal string, parsed in the escrow's currency by the handler. */
  amountTotal: string;
  currency: string;
  releaseConditions: Record<string, unknown>;
  deadlineAt: string;
  domain: string;
}

/** A client opens an escrow with a provider (API-RULES.md §2): it starts in DRAFT. */
export class CreateEscrowCommand extends Command<Committed<EscrowRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrow: NewEscrow,
  ) {
    super();
  }
}
