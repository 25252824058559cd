/** `POST /allowlist` (KOBATELA-SPEC.md §2.10): admin allowlists a recipient for an owner. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { AddRecipientCommand } from './add-recipient.command';
import { AllowlistBody } from './add-recipient.request';

@ApiController('transfers')
export class AddRecipientController extends BodyCommandController({
  status: 201,
  name: 'addRecipient',
  path: 'allowlist',
  access: [],
  answers: '{"status":"added"} or {"status":"exists"} (nothing appended)',
  body: AllowlistBody,
  command: AddRecipientCommand,
}) {}
