/** `GET /allowlist` (KOBATELA-SPEC.md §2.10): an owner's recipients, for support and auditors. */
import { QueryStringController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { ListRecipientsQuery } from './list-recipients.query';
import { AllowlistQuery } from './list-recipients.request';

@ApiController('transfers')
export class ListRecipientsController extends QueryStringController({
  name: 'listRecipients',
  path: 'allowlist',
  access: ['support', 'auditor'],
  answers: "{items, total, limit, offset}: the owner's recipients, oldest first",
  params: AllowlistQuery,
  query: ListRecipientsQuery,
}) {}
