/**
 * Builds the HTTP application on a Platform: Fastify adapter, request ids, JSON logs, security
 * headers, rate limits, the error envelope, validation, CORS, metrics per route, OpenAPI at
 * /openapi.json and /docs. main.ts and the tests both build the app here, so tests exercise the
 * real pipeline.
 *
 * Request hooks run in the order they are added, after the two Nest's adapter adds when it is
 * constructed (its middleware hook and CORS, which answers preflights itself). Ours are added
 * before the Nest application is created: the request id, the security headers, then the rate
 * limits, so a 429 carries both; `useEveryAnswerHeaders` adds, when the answer is sent, whatever
 * an answer that never reached those hooks (a preflight, an error Fastify answers before
 * routing) lacks.
 */
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { limits } from '@kob/kernel';
import { type PaymentServices, createPaymentServices } from './payments/shared';
import { type Platform, deferredRequestLogger, useLeanAsyncResourceBind } from '@kob/platform';
import { type ProofServices, createProofServices } from './proofs/shared';
import { AppModule, type AppModuleOptions } from './app.module';
import { corsOptions, preflightCheck } from './http/cors';
import { useCommittedAnswers } from './http/committed-answers';
import { ErrorEnvelopeFilter, sendError } from './http/error-envelope.filter';
import { useJsonBodiesOnly, useMultipartUploads } from './http/json-body';
import { RequestBudgets } from './http/rate-limits';
import { ReadYourWrites } from './http/read-your-writes';
import { useRequestTracing } from './http/request-tracing';
import {
  addEveryAnswerHeaders,
  useEveryAnswerHeaders,
  useSecurityHeaders,
} from './http/security-headers';
import { StorableTextPipe } from './http/storable-text.pipe';
import { validationPipe } from './http/validation';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export { ALLOWED_HEADERS, EXPOSED_HEADERS } from './http/cors';

export interface BuiltApp {
  app: NestFastifyApplication;
  /** Every route Fastify registered: `METHOD /path` (the OpenAPI and authorization tests use it). */
  routes: { method: string; url: string }[];
  payments: PaymentServices;
  proofs: ProofServices;
}

type AppExtras = Pick<AppModuleOptions, 'controllers' | 'providers'> & {
  payments?: PaymentServices;
  proofs?: ProofServices;
};

export async function buildApp(
  platform: Platform,
  logger: Logger,
  extra: AppExtras = {},
): Promise<BuiltApp> {
  // Fastify binds a callback per request with a body: without this, on Node 20, each such
  // request's objects outlive V8's young generation (platform/runtime/async-resource-bind.ts).
  useLeanAsyncResourceBind();
  const payments =
    extra.payments ?? createPaymentServices(platform, (msg, more) => logger.warn(more, msg));
  const proofs = extra.proofs ?? createProofServices(platform, payments);
  const adapter = fastifyAdapter(platform.config, logger);
  const fastify = adapter.getInstance();
  const budgets = await useRequestHooks(fastify, platform.config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      platform,
      logger,
      controllers: extra.controllers,
      providers: extra.providers,
      payments,
      proofs,
      budgets,
    }),
    adapter,
    // Nest's body parsers would turn malformed JSON into a bare 400: see http/json-body.ts.
    { logger: ['error', 'warn'], bufferLogs: false, bodyParser: false },
  );
  useJsonBodiesOnly(fastify);
  await useMultipartUploads(fastify);
  useRequestTracing(fastify);
  useCommittedAnswers(fastify, app.get(ReadYourWrites), logger);
  const routes = collectRoutes(fastify);
  useRouteMetrics(fastify, platform.metrics);
  useNestPipeline(app, adapter, platform.config, logger);
  useOpenApi(app);
  await app.init();
  await fastify.ready();
  return { app, routes, payments, proofs };
}

/** The Fastify server: limits, logs, request ids, trusted proxies, errors answered before routing. */
function fastifyAdapter(config: Platform['config'], logger: Logger): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.httpBodyLimitBytes,
    // Ledger account ids (payee refs included) are path parameters longer than the default 100.
    routerOptions: { maxParamLength: limits.pathParamLengthMax },
    requestTimeout: limits.httpRequestTimeoutMs,
    loggerInstance: logger,
    // Each request's pino child is made only if the request logs (observability/logger.ts).
    childLoggerFactory: deferredRequestLogger,
    // Only the proxies named in TRUST_PROXY may say who the client is (X-Forwarded-For: rate
    // limits per address) and whether it came over TLS (X-Forwarded-Proto: HSTS).
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    // Errors Fastify answers before routing (bad percent-encoding, an overlong path parameter)
    // run no hook and no Nest filter: without this they left in Fastify's own body, no request id.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      addEveryAnswerHeaders(req, reply);
      sendError(logger, err, req, reply);
    },
  });
}

/** Our request hooks, in order: the request id, the security headers, the rate limits. */
async function useRequestHooks(
  fastify: FastifyInstance,
  config: Platform['config'],
): Promise<RequestBudgets> {
  // Hooks that need no promise take a callback: Fastify then allocates none for them.
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('X-Request-Id', req.id);
    done();
  });
  useSecurityHeaders(fastify);
  const budgets = await RequestBudgets.register(fastify, config.rateLimits);
  useEveryAnswerHeaders(fastify);
  return budgets;
}

/** Every route registered from now on, `HEAD` aside. */
function collectRoutes(fastify: FastifyInstance): BuiltApp['routes'] {
  const routes: BuiltApp['routes'] = [];
  fastify.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD') routes.push({ method: m, url: r.url });
  });
  return routes;
}

/** Requests and their durations, per method, route template and status. */
function useRouteMetrics(fastify: FastifyInstance, metrics: Platform['metrics']): void {
  fastify.addHook('onResponse', (req: FastifyRequest, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}

/** CORS, the error envelope, and the pipes every request body and query goes through. */
function useNestPipeline(
  app: NestFastifyApplication,
  adapter: FastifyAdapter,
  config: Platform['config'],
  logger: Logger,
): void {
  // Static options; the preflights they cannot honour are refused first, in the envelope, by
  // the adapter's first request hook, which runs before the CORS one (http/cors.ts).
  adapter.setOnRequestHook(preflightCheck(config.corsAllowOrigins));
  app.enableCors(corsOptions(config.corsAllowOrigins));
  app.useGlobalFilters(new ErrorEnvelopeFilter(logger));
  app.useGlobalPipes(new StorableTextPipe(), validationPipe());
}

/**
 * The OpenAPI document at /openapi.json, and its pages at /docs. The document is built on the
 * first request for it (the module keeps it from then on), not at start: building it walks every
 * route and request class, and a document held from the start raised the live heap V8 sizes its
 * first old-generation limit on (README, Performance).
 */
function useOpenApi(app: NestFastifyApplication): void {
  const buildDocument = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Kobatela escrow ledger')
        .setDescription('Event-sourced escrow ledger API')
        .setVersion('0.1.0')
        // The bearer token is an API key, not a JWT (the builder's default format).
        .addBearerAuth({
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'API key koba_<prefix>.<secret>',
        })
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'X-API-Key')
        .build(),
    );
  SwaggerModule.setup('docs', app, buildDocument, {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
  });
}
