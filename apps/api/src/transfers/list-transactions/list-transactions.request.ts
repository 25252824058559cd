/** The query of `GET /transactions`: optional sender and receiver filters, the page. */
import { PageQuery } from '../../http/pagination';
import { OptionalUuidField } from '../shared/uuid-fields';

export class TransactionListQuery extends PageQuery {
  @OptionalUuidField()
  sender_id?: string;

  @OptionalUuidField()
  receiver_id?: string;
}
