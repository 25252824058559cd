import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { mandateDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { ApiError } from '../../http/api-error';
import { senderUser } from '../shared/mandate-access';
import { type UsageMandateRead, mandateStateView } from '../shared/mandate.view';
import { GetMandateQuery, mandateNotFound } from './get-mandate.query';

@QueryHandler(GetMandateQuery)
export class GetMandateHandler implements IQueryHandler<GetMandateQuery> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ actor, mandateId }: GetMandateQuery): Promise<UsageMandateRead> {
    const me = senderUser(actor);
    const { state } = await this.commands.read(`mandate-${mandateId}`, mandateDecider);
    if (!state.exists) throw mandateNotFound();
    // A sender reads only mandates where it is the sender or the beneficiary.
    if (me !== null && me !== state.senderId && me !== state.beneficiaryId) {
      throw new ApiError(403, 'NOT_OWNER', 'this mandate is not yours');
    }
    return mandateStateView(state);
  }
}
