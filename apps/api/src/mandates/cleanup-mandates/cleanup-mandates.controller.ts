/** `POST /mandates/cleanup` (support, admin): no body, 202 `{"expired": n}`. */
import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { NoBodyPipe } from '../../http/no-body.pipe';
import type { CommandOrigin } from '../../platform/command-origin';
import { MandatesController } from '../shared/mandates-controller';
import { CleanupMandatesCommand } from './cleanup-mandates.command';
import { CommandDispatcher } from '../shared/dispatchers';

@MandatesController()
export class CleanupMandatesController extends CommandDispatcher {
  @Post('cleanup')
  @HttpCode(202)
  @Access('support')
  @Dispatches(CleanupMandatesCommand)
  @ApiAcceptedResponse({
    description: '{"expired": n}: the ACTIVE mandates past expires_at this call expired',
  })
  cleanup(
    @Origin() origin: CommandOrigin,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<Committed<{ expired: number }>> {
    return this.commandBus.execute(new CleanupMandatesCommand(origin));
  }
}
