import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import type { UsageMandateRead } from '../shared/mandate.view';
import type { MandateListQuery } from './list-mandates.request';

/** Mandates from the read model; a sender sees those where it is sender or beneficiary. */
export class ListMandatesQuery extends Query<Page<UsageMandateRead>> {
  constructor(
    readonly actor: Actor,
    readonly filter: MandateListQuery,
  ) {
    super();
  }
}
