import { Query } from '@nestjs/cqrs';
import type { Page, PageQuery } from '../../http/pagination';
import type { AllowlistEntryRead } from '../shared/transfers.view';
import type { AllowlistQuery } from './list-recipients.request';

/** `ownerId`'s allowlist (in lower case), a page of it: the query string of `GET /allowlist`. */
export class ListRecipientsQuery extends Query<Page<AllowlistEntryRead>> {
  readonly ownerId: string;
  readonly page: PageQuery;

  constructor(params: AllowlistQuery) {
    super();
    this.ownerId = params.owner_id.toLowerCase();
    this.page = params;
  }
}
