import { EscrowDecisionCommand } from '../shared/escrow-decision.command';

/** The escrow's client refuses the delivery: what the escrow holds is refunded (a DRAFT is cancelled) (API-RULES.md §2). */
export class ClientRejectCommand extends EscrowDecisionCommand {}
