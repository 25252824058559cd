/** The query of `GET /allowlist`: whose allowlist, which page. */
import { PageQuery } from '../../http/pagination';
import { UuidField } from '../shared/uuid-fields';

export class AllowlistQuery extends PageQuery {
  @UuidField()
  owner_id!: string;
}
