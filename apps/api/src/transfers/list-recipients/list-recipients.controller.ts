/** `GET /allowlist` (KOBATELA-SPEC.md §2.10): an owner's recipients, for support and auditors. */
import { Query } from '@nestjs/common';
import type { Page } from '../../http/pagination';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import type { AllowlistEntryRead } from '../shared/transfers.view';
import { ListRecipientsQuery } from './list-recipients.query';
import { AllowlistQuery } from './list-recipients.request';

@ApiController('transfers')
export class ListRecipientsController extends QueryController {
  @QueryRoute({
    path: 'allowlist',
    dispatches: ListRecipientsQuery,
    access: ['support', 'auditor'],
    answers: "{items, total, limit, offset}: the owner's recipients, oldest first",
  })
  listRecipients(@Query() q: AllowlistQuery): Promise<Page<AllowlistEntryRead>> {
    return this.queryBus.execute(new ListRecipientsQuery(q.owner_id.toLowerCase(), q));
  }
}
