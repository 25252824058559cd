import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import type { EscrowRead } from '../shared/escrows.view';
import type { EscrowListQuery } from './list-escrows.request';

/** A page of escrows, oldest first; a sender sees only its own. */
export class ListEscrowsQuery extends Query<Page<EscrowRead>> {
  constructor(
    readonly actor: Actor,
    readonly filters: EscrowListQuery,
  ) {
    super();
  }
}
