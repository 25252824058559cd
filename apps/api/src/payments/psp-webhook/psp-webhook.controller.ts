/**
 * `POST /psp/webhook`: the PSP's reports (payment settled or failed, deposit confirmed or
 * failed), authenticated by their signature (the handler checks it on the raw body). Answers
 * (API-RULES.md §6): 200 `{"ok":"true","event_id","processed_at"}`, with `"duplicate": true` for
 * an event already processed (which changes nothing); a reference not known yet is stored and
 * applied later.
 */
import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/access.decorator';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { type PspWebhookAnswer, ReceivePspWebhookCommand } from './psp-webhook.command';
import { CommandController } from '../../http/routes';

export const PSP_WEBHOOK_PATH = '/psp/webhook';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

@ApiTags('psp')
@Public()
@Controller('psp')
export class PspWebhookController extends CommandController {
  @Post('webhook')
  @HttpCode(200)
  @Dispatches(ReceivePspWebhookCommand)
  @ApiOkResponse({
    description: '{"ok":"true","event_id","processed_at"} (+ "duplicate": true for a repeat)',
  })
  webhook(@Req() req: FastifyRequest): Promise<Committed<PspWebhookAnswer>> {
    const headers = {
      signature: header(req, 'x-psp-signature'),
      timestamp: header(req, 'x-psp-timestamp'),
      eventId: header(req, 'x-psp-event-id'),
      pspRef: header(req, 'x-psp-ref'),
    };
    const raw = typeof req.body === 'string' ? req.body : '';
    return this.commandBus.execute(new ReceivePspWebhookCommand(raw, headers, String(req.id)));
  }
}
