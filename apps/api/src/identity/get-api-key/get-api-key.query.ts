import { Query } from '@nestjs/cqrs';
import type { ApiKeyRead } from '../shared/api-key.view';

/** One API key (`GET /apikeys/{id}`). */
export class GetApiKeyQuery extends Query<ApiKeyRead> {
  constructor(readonly keyId: string) {
    super();
  }
}
