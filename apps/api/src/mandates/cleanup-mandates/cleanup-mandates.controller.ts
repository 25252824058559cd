/** `POST /mandates/cleanup` (support, admin): no body, 202 `{"expired": n}`. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { NoBodyPipe } from '../../http/no-body.pipe';
import type { CommandOrigin } from '../../platform/command-origin';
import { CleanupMandatesCommand } from './cleanup-mandates.command';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('mandates', 'mandates')
export class CleanupMandatesController extends CommandController {
  @CommandRoute(202, {
    path: 'cleanup',
    dispatches: CleanupMandatesCommand,
    access: ['support'],
    answers: '{"expired": n}: the ACTIVE mandates past expires_at this call expired',
  })
  cleanup(
    @Origin() origin: CommandOrigin,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<Committed<{ expired: number }>> {
    return this.commandBus.execute(new CleanupMandatesCommand(origin));
  }
}
