/**
 * The one interceptor of every route. In order:
 * 1. one server span per request, child of the caller's W3C `traceparent` when it sends one; the
 *    rest runs inside it, so commands, appends and the events' `traceparent` join the trace
 *    (without a configured OpenTelemetry SDK the spans are no-ops and cost next to nothing);
 * 2. on a GET, the read-your-writes wait for `X-Min-Event-Position` (read-your-writes.ts);
 * 3. the handler; a `Committed` it returns (http/committed.ts) is answered after the
 *    read-your-writes wait: `X-Event-Position`, the status, then the answer or the read.
 * One interceptor rather than three: Nest gives each interceptor of a request an
 * `AsyncResource.bind` and an rxjs pipeline that live as long as the request, and under load
 * those are much of what outlives V8's young generation (README, Performance).
 */
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, mergeMap, Observable, switchMap } from 'rxjs';
import { extractContext, tracer } from '@kob/platform';
import {
  Committed,
  CommittedRead,
  CommittedRefusal,
  type CommittedWait,
  ProjectionPending,
} from './committed';
import { ReadYourWrites } from './read-your-writes';

@Injectable()
export class RequestInterceptor implements NestInterceptor {
  constructor(private readonly ryw: ReadYourWrites) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Made inside the span: Nest binds the handler to the async context `handle()` is called in.
    return traced(req, reply, () => {
      const handled =
        req.method === 'GET'
          ? defer(() => this.ryw.beforeQuery(req, reply)).pipe(switchMap(() => next.handle()))
          : next.handle();
      return handled.pipe(mergeMap((result: unknown) => this.answer(reply, result)));
    });
  }

  /** A handler's result as the answer: a `Committed` after its wait, anything else as it is. */
  private async answer(reply: FastifyReply, result: unknown): Promise<unknown> {
    if (
      !(result instanceof Committed) &&
      !(result instanceof CommittedRead) &&
      !(result instanceof CommittedRefusal)
    )
      return result;
    await this.wait(reply, result);
    if (result instanceof CommittedRefusal) throw result.error;
    if (result.status !== undefined) void reply.status(result.status);
    if (!(result instanceof CommittedRead)) return result.answer;
    const read = await result.read();
    if (!(read instanceof ProjectionPending)) return read;
    void reply.header('X-Projection-Pending', 'true');
    return read.view;
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

/** The observable `inner` makes, made and subscribed inside the request's server span. */
function traced(req: FastifyRequest, reply: FastifyReply, inner: () => Observable<unknown>) {
  const route = req.routeOptions?.url ?? 'unmatched';
  const parent = extractContext(req.headers as Record<string, unknown>);
  const span = tracer().startSpan(
    `${req.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method,
        'http.route': route,
        'kobatela.request_id': String(req.id),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return new Observable<unknown>((subscriber) => {
    const subscription = context.with(active, () =>
      inner().subscribe({
        next: (value) => subscriber.next(value),
        error: (err: unknown) => {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          subscriber.error(err);
        },
        complete: () => {
          span.setAttribute('http.response.status_code', reply.statusCode);
          span.end();
          subscriber.complete();
        },
      }),
    );
    return () => subscription.unsubscribe();
  });
}
