import { Command } from '@nestjs/cqrs';
import type { CommittedRead, ProjectionPending } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { ProofRead } from '../shared/proofs.view';
import type { ProofDecisionBody } from './decide-proof.request';

/** The client, support or admin decide on a proof in review (approve pays the milestone). */
export class DecideProofCommand extends Command<
  CommittedRead<ProofRead | ProjectionPending<ProofRead>>
> {
  constructor(
    readonly origin: CommandOrigin,
    readonly proofId: string,
    readonly body: ProofDecisionBody,
    /** `note`, or its alias `comment` (D8). */
    readonly note: string | null,
  ) {
    super();
  }
}
