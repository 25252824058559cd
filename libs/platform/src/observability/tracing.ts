/**
 * OpenTelemetry traces: HTTP request → command → append, linked to the events through the
 * `traceparent` in their metadata (projections link their batch spans to it). The SDK starts
 * only when an exporter is configured with the standard variables (`OTEL_TRACES_EXPORTER`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`); otherwise the API is a no-op and nothing is recorded.
 */
import { context, propagation, trace, type Span, type SpanContext } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';

export const tracer = () => trace.getTracer('kobatela-ledger');

let sdk: NodeSDK | undefined;

export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter === 'none') return false;
  return Boolean(
    exporter || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
}

export async function startTracing(serviceName: string): Promise<boolean> {
  if (sdk || !tracingRequested()) return false;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  return true;
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}

/** W3C traceparent of a span context. */
export function traceparentOf(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The active span's traceparent, when a (sampled or not) real trace is active. */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  const ctx = span?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? traceparentOf(ctx) : undefined;
}

const TRACEPARENT_RE = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

export function parseTraceparent(value: unknown): SpanContext | undefined {
  const m = typeof value === 'string' ? TRACEPARENT_RE.exec(value) : null;
  if (!m) return undefined;
  const ctx = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  return trace.isSpanContextValid(ctx) ? ctx : undefined;
}

/** Runs `fn` in a new span (child of the active one); the span ends when the promise settles. */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The context extracted from incoming request headers (W3C trace context). */
export function extractContext(headers: Record<string, unknown>) {
  return propagation.extract(context.active(), headers);
}
