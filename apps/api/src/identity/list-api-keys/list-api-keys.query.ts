import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest } from '../../http/pagination';
import type { ApiKeyRead } from '../shared/api-key.view';

/** A page of API keys, oldest first (`GET /apikeys`). */
export class ListApiKeysQuery extends Query<Page<ApiKeyRead>> {
  constructor(readonly page: PageRequest) {
    super();
  }
}
