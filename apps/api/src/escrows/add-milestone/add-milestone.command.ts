import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { MilestoneRead } from '../shared/escrows.view';

export interface NewMilestone {
  label: string;
  /** A decimal string, parsed in the escrow's currency by the handler. */
  amount: string;
  currency: string;
  sequenceIndex: number;
  proofKind: string | null;
  proofRequirements: Record<string, unknown>;
  /** As the request gave them: all three or none (the handler checks). */
  geofence: { lat?: number; lng?: number; radiusM?: number };
}

/** The escrow's client adds a milestone (API-RULES.md §2): it starts WAITING. */
export class AddMilestoneCommand extends Command<Committed<MilestoneRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    readonly milestone: NewMilestone,
  ) {
    super();
  }
}
