import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { ProofRead } from '../shared/proofs.view';

/** One proof, to a party of its escrow or staff. */
export class GetProofQuery extends Query<ProofRead> {
  constructor(
    readonly actor: Actor,
    readonly proofId: string,
  ) {
    super();
  }
}
