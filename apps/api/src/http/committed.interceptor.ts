/** Answers a handler's `Committed` (http/committed.ts) after the read-your-writes wait. */
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { mergeMap, type Observable } from 'rxjs';
import { Committed } from './committed';
import { ReadYourWrites } from './read-your-writes';

@Injectable()
export class CommittedInterceptor implements NestInterceptor {
  constructor(private readonly ryw: ReadYourWrites) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        if (!(result instanceof Committed)) return result;
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        const { position, wait } = result;
        if (wait.mode === 'in-force') await this.ryw.requireProjected(reply, position);
        else
          await this.ryw.afterCommand(
            reply,
            position,
            wait.projectors ? { projectors: wait.projectors } : {},
          );
        return result.answer;
      }),
    );
  }
}
