import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import type { ProofRead } from '../shared/proofs.view';
import type { ProofListQuery } from './list-proofs.request';

/** The proofs the actor may see (a sender: its escrows'), filtered and paged. */
export class ListProofsQuery extends Query<Page<ProofRead>> {
  constructor(
    readonly actor: Actor,
    readonly filter: ProofListQuery,
  ) {
    super();
  }
}
