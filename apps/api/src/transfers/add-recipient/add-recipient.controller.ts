/** `POST /allowlist` (KOBATELA-SPEC.md §2.10): admin allowlists a recipient for an owner. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { AddRecipientCommand } from './add-recipient.command';
import { AllowlistBody } from './add-recipient.request';

const ANSWERS = '{"status":"added"} or {"status":"exists"} (nothing appended)';

@ApiController('transfers')
export class AddRecipientController extends CommandController {
  @CommandRoute(201, {
    path: 'allowlist',
    dispatches: AddRecipientCommand,
    access: [],
    answers: ANSWERS,
  })
  addRecipient(@Origin() origin: CommandOrigin, @Body() body: AllowlistBody) {
    const ids = AddRecipientCommand.idsOf(body);
    return this.dispatch(new AddRecipientCommand(origin, ...ids), 'optional');
  }
}
