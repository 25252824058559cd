/**
 * One server span per request, child of the caller's W3C `traceparent` when it sends one. It
 * starts once the request is routed and its body read (Fastify's preHandler) and the rest of the
 * request runs inside it (the guards, the handler, the read-your-writes wait of its answer), so
 * commands, appends and the events' `traceparent` join the trace; it ends when the answer has
 * been sent, with its status, marked as failed when the answer is an error (`spanFailed`, from
 * the error envelope). Without a configured OpenTelemetry SDK the spans are no-ops and cost next
 * to nothing.
 *
 * A Fastify hook rather than a Nest interceptor: Nest gives every interceptor of a request an
 * `AsyncResource.bind` and an rxjs pipeline that live as long as the request, and under load
 * those were much of what outlived V8's young generation (README, Performance).
 */
import { type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractContext, tracer } from '@kob/platform';

const SPANS = new WeakMap<FastifyRequest, Span>();

export function useRequestTracing(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (req, reply, done) => {
    // A route that answers 404 from inside its handler runs the preHandler hooks again: the
    // request keeps its first span, and this call is already inside it.
    if (SPANS.has(req)) return done();
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
    SPANS.set(req, span);
    // A client that goes away before the answer: Fastify runs no onResponse hook then.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) endSpan(req, null);
    });
    // What Fastify does next (the route's handler) is called from `done`, inside the span.
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    endSpan(req, reply.statusCode);
    done();
  });
}

/** Ends the request's span once: with the status sent, or as failed when none was. */
function endSpan(req: FastifyRequest, status: number | null): void {
  const span = SPANS.get(req);
  if (!span || !span.isRecording()) return;
  if (status === null)
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
  else span.setAttribute('http.response.status_code', status);
  span.end();
}

/** Marks the request's server span, if it has one, as failed with `err`. */
export function spanFailed(req: FastifyRequest | undefined, err: unknown): void {
  const span = req ? SPANS.get(req) : undefined;
  if (!span) return;
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR });
}
