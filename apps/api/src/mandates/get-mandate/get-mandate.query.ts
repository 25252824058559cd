import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import type { UsageMandateRead } from '../shared/mandate.view';

/** One mandate as its stream says now; a sender only one it is sender or beneficiary of. */
export class GetMandateQuery extends Query<UsageMandateRead> {
  constructor(
    readonly actor: Actor,
    readonly mandateId: string,
  ) {
    super();
  }
}

export const mandateNotFound = () => new ApiError(404, 'MANDATE_NOT_FOUND', 'Mandate not found.');
