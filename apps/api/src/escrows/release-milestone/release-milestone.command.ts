import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { PaymentRead } from '../../payments/shared/payments.view';
import type { CommandOrigin } from '../../platform/command-origin';
import type { MilestoneRead } from '../shared/escrows.view';

export type ReleaseAnswer = PaymentRead & { milestone: MilestoneRead };

/** The escrow's client releases a milestone: its payout starts (API-RULES.md §2, §3). */
export class ReleaseMilestoneCommand extends Command<Committed<ReleaseAnswer>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly milestoneId: string,
  ) {
    super();
  }
}
