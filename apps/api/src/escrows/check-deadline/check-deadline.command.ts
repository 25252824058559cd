import { EscrowDecisionCommand } from '../shared/escrow-decision.command';

/**
 * A party (or support) asks whether the escrow's deadline passed: before it, nothing changes;
 * after it, the escrow's `on_deadline` outcome (API-RULES.md §2).
 */
export class CheckDeadlineCommand extends EscrowDecisionCommand {}
