/**
 * Traces link HTTP request → command → append → projection: with an OpenTelemetry provider
 * registered (in memory here), a request carrying a W3C `traceparent` gets a server span that
 * continues the caller's trace, the command and append spans are its children, the appended
 * events' metadata carry a `traceparent` of that trace, and the projection batch span links to it.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { encodePosition } from '@kob/event-store';
import { ProbeController } from '../support/http-probe.controller';
import { until } from './http-expect';
import { startTestApp, type TestApp } from '../support/test-app';

const exporter = new InMemorySpanExporter();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('OpenTelemetry traces', () => {
  let t: TestApp;
  /** The traceparent each event of a stream keeps in its metadata. */
  const traceparents = async (streamId: string) =>
    (await t.platform.store.readStream(streamId)).map((e) => ({ tp: e.metadata.traceparent }));
  /** POST /probe/tallies, with the caller's traceparent when given. */
  const openTally = (currency: unknown, traceparent?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: { 'content-type': 'application/json', ...(traceparent ? { traceparent } : {}) },
      payload: { currency },
    });
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(async () => {
    await t.close();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('continues the caller trace through command, append, events and projection', async () => {
    const res = await openTally('USD', `00-${TRACE_ID}-${CALLER_SPAN}-01`);
    expect(res.statusCode).toBe(201);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'POST /probe/tallies');
    expect(server).toBeDefined();
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(server!.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    const command = spans.find((s) => s.name === 'command OpenTally')!;
    const append = spans.find(
      (s) =>
        s.name === 'event-store append' &&
        s.parentSpanContext?.spanId === command.spanContext().spanId,
    )!;
    expect(append).toBeDefined();
    expect(command.spanContext().traceId).toBe(TRACE_ID);
    expect(command.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(append.parentSpanContext?.spanId).toBe(command.spanContext().spanId);
    const rows = await traceparents(`tally-${res.json().id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tp).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    const projection = exporter
      .getFinishedSpans()
      .find(
        (s) =>
          s.name === 'projection event_stats' &&
          s.links.some((l) => l.context.traceId === TRACE_ID),
      );
    expect(projection).toBeDefined();
  });

  it('ends the span of a refused request as failed, with its status', async () => {
    exporter.reset();
    const res = await openTally(42, `00-${TRACE_ID}-${CALLER_SPAN}-01`);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const server = exporter.getFinishedSpans().find((s) => s.name === 'POST /probe/tallies')!;
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes['http.response.status_code']).toBe(res.statusCode);
    expect(server.events.map((e) => e.name)).toContain('exception');
  });

  it('ends one span for a route that answers 404 from its handler (an empty path parameter)', async () => {
    exporter.reset();
    const res = await t.app.inject({ method: 'DELETE', url: '/apikeys/' });
    expect(res.statusCode).toBe(404);
    const spans = exporter
      .getFinishedSpans()
      .filter((s) => s.attributes['kobatela.request_id'] === res.headers['x-request-id']);
    expect(spans.map((s) => [s.name, s.attributes['http.response.status_code']])).toEqual([
      ['DELETE /apikeys/:id', 404],
    ]);
  });

  it('ends the span of a request whose client goes away before the answer', async () => {
    exporter.reset();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    // A position past the head: the GET waits for it (until the tally below is projected).
    const head = (await t.platform.store.headPosition())!;
    const ahead = encodePosition({ tx: head.tx + 1n, pos: 0n });
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/probe/event-stats',
      headers: { 'x-min-event-position': ahead },
    });
    req.on('error', () => undefined);
    req.end();
    await until('the GET to wait', () => t.platform.projections.waiting === 1);
    req.destroy();
    const ended = () =>
      exporter.getFinishedSpans().find((s) => s.name === 'GET /probe/event-stats');
    await until('its span to end', () => ended() !== undefined, 2_000);
    expect(ended()!.status.code).toBe(SpanStatusCode.ERROR);
    // Lets the abandoned GET finish: a later command's events pass its position.
    await openTally('USD');
    await until('the GET to finish', () => t.platform.projections.waiting === 0);
  });

  it('starts a new trace when the caller sends none, and ignores a malformed traceparent', async () => {
    const res = await openTally('USD', 'garbage');
    expect(res.statusCode).toBe(201);
    const rows = await traceparents(`tally-${res.json().id}`);
    expect(rows[0]!.tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(rows[0]!.tp).not.toContain(TRACE_ID);
  });
});
