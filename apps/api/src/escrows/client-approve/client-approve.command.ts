import { EscrowDecisionCommand } from '../shared/escrow-decision.command';

/** The escrow's client accepts the delivery: the escrow is released, its remaining milestones paid out (API-RULES.md §2). */
export class ClientApproveCommand extends EscrowDecisionCommand {}
