/**
 * What client approve, client reject and the deadline check carry: the escrow and the client's
 * optional note. Each slice names its own command class (one handler each).
 */
import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { EscrowWithPayments } from './escrow-commands';

export abstract class EscrowDecisionCommand extends Command<Committed<EscrowWithPayments>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    readonly note: string | null = null,
  ) {
    super();
  }
}
