/** Answers a handler's `Committed` (http/committed.ts) after the read-your-writes wait. */
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { mergeMap, type Observable } from 'rxjs';
import {
  Committed,
  CommittedRead,
  CommittedRefusal,
  type CommittedWait,
  ProjectionPending,
} from './committed';
import { ReadYourWrites } from './read-your-writes';

@Injectable()
export class CommittedInterceptor implements NestInterceptor {
  constructor(private readonly ryw: ReadYourWrites) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        if (
          !(result instanceof Committed) &&
          !(result instanceof CommittedRead) &&
          !(result instanceof CommittedRefusal)
        )
          return result;
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        await this.wait(reply, result);
        if (result instanceof CommittedRefusal) throw result.error;
        if (result.status !== undefined) void reply.status(result.status);
        if (!(result instanceof CommittedRead)) return result.answer;
        const read = await result.read();
        if (!(read instanceof ProjectionPending)) return read;
        void reply.header('X-Projection-Pending', 'true');
        return read.view;
      }),
    );
  }

  private async wait(
    reply: FastifyReply,
    { position, wait }: { position: Committed<unknown>['position']; wait: CommittedWait },
  ): Promise<void> {
    if (wait.mode === 'in-force') return this.ryw.requireProjected(reply, position);
    return this.ryw.afterCommand(
      reply,
      position,
      wait.projectors ? { projectors: wait.projectors } : {},
    );
  }
}
