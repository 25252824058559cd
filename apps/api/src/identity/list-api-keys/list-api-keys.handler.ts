import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { apiKeyRows } from '../shared/api-key-rows';
import { type ApiKeyRead, apiKeyRowView } from '../shared/api-key.view';
import { ListApiKeysQuery } from './list-api-keys.query';

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ page }: ListApiKeysQuery): Promise<Page<ApiKeyRead>> {
    const { db } = this;
    const ordered = apiKeyRows(db).orderBy('k.created_at').orderBy('k.id');
    return listPage(db.selectFrom('api_keys'), ordered, page, apiKeyRowView);
  }
}
