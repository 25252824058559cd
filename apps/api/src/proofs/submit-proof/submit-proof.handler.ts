/**
 * A proof submission: only the escrow's provider; the file checks, OCR and AI advice happen
 * before the one append (shared/proof-service.ts), and the answer is the proof as projected.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { escrowDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { userOf } from '../../auth/access.guard';
import { checkParty } from '../../escrows/shared/escrow-access';
import { escrowNotFound } from '../../escrows/shared/escrow-errors';
import { type ReadModelsDb, READ_MODELS } from '../../platform/platform.providers';
import { PROOFS } from '../../tokens';
import type { ProofServices } from '../shared';
import { committedProof } from '../shared/proof-rows';
import { SubmitProofCommand } from './submit-proof.command';

@CommandHandler(SubmitProofCommand)
export class SubmitProofHandler implements ICommandHandler<SubmitProofCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(PROOFS) private readonly proofs: ProofServices,
  ) {}

  async execute({ origin, escrowId, fileId, body }: SubmitProofCommand) {
    const { actor } = origin;
    const { state } = await this.commands.read(`escrow-${escrowId}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    checkParty(actor, state, 'provider');
    const metadata = origin.metadata('optional');
    const result = await this.proofs.service.submit(
      {
        escrowId,
        sequenceIndex: body.milestone_idx,
        proofType: body.type,
        fileId,
        storageUrl: fileId === null ? (body.storage_url ?? null) : null,
        sha256: body.sha256?.toLowerCase() ?? null,
        metadata: body.metadata ?? null,
        uploaderUserId: actor.kind === 'api_key' && actor.scope === 'sender' ? userOf(actor) : null,
      },
      metadata,
    );
    return committedProof(this.db, result, result.proofId, { submission: true });
  }
}
