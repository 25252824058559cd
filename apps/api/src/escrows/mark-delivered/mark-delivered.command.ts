import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { EscrowRead } from '../shared/escrows.view';

/**
 * A party says the work was delivered (API-RULES.md §2; the client too, FRONTEND-CONTRACT.md A3):
 * the escrow becomes RELEASABLE.
 */
export class MarkDeliveredCommand extends Command<Committed<EscrowRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    readonly note: string | null,
    readonly proofUrl: string | null,
  ) {
    super();
  }
}
