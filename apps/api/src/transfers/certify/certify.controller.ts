/** `POST /certified` (KOBATELA-SPEC.md §2.10): admin certifies a user at a level. */
import { Body, Post } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { AdminCommandRoute, CommandController, TransfersController } from '../shared/routes';
import { CertifyCommand } from './certify.command';
import { CertifyBody } from './certify.request';

const ANSWERS =
  '{"status":"created"|"updated"|"unchanged"} (unchanged: same level, nothing appended)';

@TransfersController()
export class CertifyController extends CommandController {
  @AdminCommandRoute(Post('certified'), 201, CertifyCommand, ANSWERS)
  certify(@Origin() origin: CommandOrigin, @Body() body: CertifyBody) {
    const command = new CertifyCommand(origin, body.user_id.toLowerCase(), body.level);
    return this.dispatch(command, 'optional');
  }
}
