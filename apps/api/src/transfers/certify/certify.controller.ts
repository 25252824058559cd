/** `POST /certified` (KOBATELA-SPEC.md §2.10): admin certifies a user at a level. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { CertifyCommand } from './certify.command';
import { CertifyBody } from './certify.request';

const ANSWERS =
  '{"status":"created"|"updated"|"unchanged"} (unchanged: same level, nothing appended)';

@ApiController('transfers')
export class CertifyController extends CommandController {
  @CommandRoute(201, {
    path: 'certified',
    dispatches: CertifyCommand,
    access: [],
    answers: ANSWERS,
  })
  certify(@Origin() origin: CommandOrigin, @Body() body: CertifyBody) {
    const command = new CertifyCommand(origin, body.user_id.toLowerCase(), body.level);
    return this.dispatch(command, 'optional');
  }
}
