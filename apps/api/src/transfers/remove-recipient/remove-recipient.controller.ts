/** `DELETE /allowlist` (KOBATELA-SPEC.md §2.10): admin takes a recipient off an allowlist. */
import { Query } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { RemoveRecipientCommand } from './remove-recipient.command';
import { AllowlistEntryQuery } from './remove-recipient.request';

const ANSWERS =
  '{"status":"removed"}; 404 USER_NOT_FOUND for an unknown user, ALLOWLIST_ENTRY_NOT_FOUND when absent';

@ApiController('transfers')
export class RemoveRecipientController extends CommandController {
  /** The route never read an Idempotency-Key: its handler asks for none. */
  @CommandRoute(200, {
    method: 'delete',
    path: 'allowlist',
    dispatches: RemoveRecipientCommand,
    access: [],
    answers: ANSWERS,
  })
  removeRecipient(@Origin() origin: CommandOrigin, @Query() q: AllowlistEntryQuery) {
    return this.commandBus.execute(new RemoveRecipientCommand(origin, q));
  }
}
