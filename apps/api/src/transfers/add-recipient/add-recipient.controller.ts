/** `POST /allowlist` (KOBATELA-SPEC.md §2.10): admin allowlists a recipient for an owner. */
import { Body, Post } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { AdminCommandRoute, CommandController, TransfersController } from '../shared/routes';
import { AddRecipientCommand } from './add-recipient.command';
import { AllowlistBody } from './add-recipient.request';

const ANSWERS = '{"status":"added"} or {"status":"exists"} (nothing appended)';

@TransfersController()
export class AddRecipientController extends CommandController {
  @AdminCommandRoute(Post('allowlist'), 201, AddRecipientCommand, ANSWERS)
  addRecipient(@Origin() origin: CommandOrigin, @Body() body: AllowlistBody) {
    const ids = AddRecipientCommand.idsOf(body);
    return this.dispatch(new AddRecipientCommand(origin, ...ids), 'optional');
  }
}
