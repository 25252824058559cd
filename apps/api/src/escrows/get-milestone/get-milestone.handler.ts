import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EscrowReader } from '../shared/escrow-reader';
import { type MilestoneRead, milestoneRowView } from '../shared/escrows.view';
import { GetMilestoneQuery } from './get-milestone.query';

@QueryHandler(GetMilestoneQuery)
export class GetMilestoneHandler implements IQueryHandler<GetMilestoneQuery> {
  constructor(private readonly escrows: EscrowReader) {}

  async execute({ actor, milestoneId }: GetMilestoneQuery): Promise<MilestoneRead> {
    const row = await this.escrows.milestoneRow(milestoneId);
    const escrow = await this.escrows.row(actor, row.escrow_id);
    return milestoneRowView(row, escrow.scale);
  }
}
