import { Command } from '@nestjs/cqrs';
import type { CommittedRead, ProjectionPending } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { ProofRead } from '../shared/proofs.view';
import type { SubmitProofBody } from './submit-proof.request';

/** The provider submits a proof for a milestone of its escrow (issue 5). */
export class SubmitProofCommand extends Command<
  CommittedRead<ProofRead | ProjectionPending<ProofRead>>
> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    /** The upload the proof uses (`file_id` or `storage_key`), null for a claimed file. */
    readonly fileId: string | null,
    readonly body: SubmitProofBody,
  ) {
    super();
  }
}
