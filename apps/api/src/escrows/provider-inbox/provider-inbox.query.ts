import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page, PageRequest } from '../../http/pagination';
import type { ProviderInboxItem } from './provider-inbox.view';

/**
 * The provider's inbox (FRONTEND-CONTRACT.md §5.1): the escrows whose provider is the caller, all
 * statuses, latest update first, with the milestone a proof is for now.
 */
export class ListProviderInboxQuery extends Query<Page<ProviderInboxItem>> {
  constructor(
    readonly actor: Actor,
    readonly page: PageRequest,
  ) {
    super();
  }
}
