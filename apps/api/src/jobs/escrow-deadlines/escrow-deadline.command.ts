import { Command } from '@nestjs/cqrs';

/** Runs `CheckDeadline` on an escrow whose deadline passed; answers its status after. */
export class EscrowDeadlineDueCommand extends Command<string> {
  constructor(
    readonly escrowId: string,
    readonly now: Date,
  ) {
    super();
  }
}
