import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';

/** Revoke an API key (`DELETE /apikeys/{id}`): refused from the next request on. */
export class RevokeApiKeyCommand extends Command<Committed<void>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly keyId: string,
  ) {
    super();
  }
}
