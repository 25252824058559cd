import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { EscrowReader } from '../shared/escrow-reader';
import { type MilestoneRead, milestoneRowView } from '../shared/escrows.view';
import { ListMilestonesQuery } from './list-milestones.query';

@QueryHandler(ListMilestonesQuery)
export class ListMilestonesHandler implements IQueryHandler<ListMilestonesQuery> {
  constructor(
    private readonly escrows: EscrowReader,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
  ) {}

  async execute({ actor, escrowId }: ListMilestonesQuery): Promise<MilestoneRead[]> {
    const escrow = await this.escrows.row(actor, escrowId);
    const rows = await this.db
      .selectFrom('milestones')
      .selectAll()
      .where('escrow_id', '=', escrow.id)
      .orderBy('sequence_index')
      .execute();
    return rows.map((r) => milestoneRowView(r, escrow.scale));
  }
}
