import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import type { EscrowRead } from '../shared/escrows.view';
import type { EscrowListQuery } from './list-escrows.request';

/**
 * A page of escrows, oldest first; a sender sees only its own. With `mine=true`, the escrows whose
 * client is the caller's user, newest first, as a bare array (FRONTEND-CONTRACT.md §4.1).
 */
export class ListEscrowsQuery extends Query<Page<EscrowRead> | EscrowRead[]> {
  constructor(
    readonly actor: Actor,
    readonly filters: EscrowListQuery,
  ) {
    super();
  }
}
