import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EscrowReader } from '../shared/escrow-reader';
import { type EscrowRead, escrowRowView } from '../shared/escrows.view';
import { GetEscrowQuery } from './get-escrow.query';

@QueryHandler(GetEscrowQuery)
export class GetEscrowHandler implements IQueryHandler<GetEscrowQuery> {
  constructor(private readonly escrows: EscrowReader) {}

  async execute({ actor, escrowId }: GetEscrowQuery): Promise<EscrowRead> {
    return escrowRowView(await this.escrows.row(actor, escrowId));
  }
}
