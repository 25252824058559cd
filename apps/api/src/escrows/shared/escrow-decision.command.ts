/**
 * What client approve, client reject and the deadline check carry: the escrow and the client's
 * optional note (from the decision's body, when there is one). Each slice names its own command
 * class (one handler each).
 */
import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { EscrowWithPayments } from './escrow-commands';

export abstract class EscrowDecisionCommand extends Command<Committed<EscrowWithPayments>> {
  readonly note: string | null;

  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    decision?: { note?: string },
  ) {
    super();
    this.note = decision?.note ?? null;
  }
}
