/** `DELETE /allowlist` (KOBATELA-SPEC.md §2.10): admin takes a recipient off an allowlist. */
import { Delete, Query } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { AdminCommandRoute, CommandController, TransfersController } from '../shared/routes';
import { RemoveRecipientCommand } from './remove-recipient.command';
import { AllowlistEntryQuery } from './remove-recipient.request';

const ANSWERS =
  '{"status":"removed"}; 404 USER_NOT_FOUND for an unknown user, ALLOWLIST_ENTRY_NOT_FOUND when absent';

@TransfersController()
export class RemoveRecipientController extends CommandController {
  /** The route never read an Idempotency-Key: its handler asks for none. */
  @AdminCommandRoute(Delete('allowlist'), 200, RemoveRecipientCommand, ANSWERS)
  removeRecipient(@Origin() origin: CommandOrigin, @Query() q: AllowlistEntryQuery) {
    const ids = RemoveRecipientCommand.idsOf(q);
    return this.commandBus.execute(new RemoveRecipientCommand(origin, ...ids));
  }
}
