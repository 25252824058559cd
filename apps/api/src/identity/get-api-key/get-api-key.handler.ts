import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { apiKeyRows } from '../shared/api-key-rows';
import { type ApiKeyRead, apiKeyRowView } from '../shared/api-key.view';
import { keyNotFound } from '../shared/identity-errors';
import { GetApiKeyQuery } from './get-api-key.query';

@QueryHandler(GetApiKeyQuery)
export class GetApiKeyHandler implements IQueryHandler<GetApiKeyQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ keyId }: GetApiKeyQuery): Promise<ApiKeyRead> {
    const row = await apiKeyRows(this.db).where('k.id', '=', keyId).executeTakeFirst();
    if (!row) throw keyNotFound();
    return apiKeyRowView(row);
  }
}
