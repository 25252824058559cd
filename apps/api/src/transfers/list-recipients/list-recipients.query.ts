import { Query } from '@nestjs/cqrs';
import type { Page, PageQuery } from '../../http/pagination';
import type { AllowlistEntryRead } from '../shared/transfers.view';

/** `ownerId`'s allowlist (in lower case), a page of it. */
export class ListRecipientsQuery extends Query<Page<AllowlistEntryRead>> {
  constructor(
    readonly ownerId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}
