/**
 * A decision on a proof: taken on the escrow stream by its client (or support, admin); the
 * answer is the proof as the read model has it once it has applied the decision.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { actorLabel, newId } from '@kob/kernel';
import { type ReadModelsDb, READ_MODELS } from '../../platform/platform.providers';
import { PROOFS } from '../../tokens';
import type { ProofServices } from '../shared';
import { committedProof, partyProofRow } from '../shared/proof-rows';
import { DecideProofCommand } from './decide-proof.command';

@CommandHandler(DecideProofCommand)
export class DecideProofHandler implements ICommandHandler<DecideProofCommand> {
  constructor(
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(PROOFS) private readonly proofs: ProofServices,
  ) {}

  async execute({ origin, proofId, body, note }: DecideProofCommand) {
    const row = await partyProofRow(this.db, origin.actor, proofId, 'client');
    const metadata = origin.metadata('optional');
    const command = {
      type: 'ReviewProof' as const,
      escrowId: row.escrow_id as string,
      proofId,
      decision: body.decision.startsWith('approve') ? ('approve' as const) : ('reject' as const),
      note,
      reviewedBy: actorLabel(origin.actor),
      paymentId: newId(),
      now: metadata.now.toISOString(),
    };
    const result = await this.proofs.actions.run(command.escrowId, command, metadata);
    return committedProof(this.db, result, proofId);
  }
}
