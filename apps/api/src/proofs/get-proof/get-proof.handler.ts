/** Reads one proof row, with the party rule applied. */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type ReadModelsDb, READ_MODELS } from '../../platform/platform.providers';
import { partyProofRow } from '../shared/proof-rows';
import { type ProofRead, proofRowView } from '../shared/proofs.view';
import { GetProofQuery } from './get-proof.query';

@QueryHandler(GetProofQuery)
export class GetProofHandler implements IQueryHandler<GetProofQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ actor, proofId }: GetProofQuery): Promise<ProofRead> {
    return proofRowView(await partyProofRow(this.db, actor, proofId));
  }
}
