/**
 * JSON logs (pino). Secrets never reach them: request headers that carry keys are redacted at
 * the source, and configuration is logged only through `safeConfigSummary`.
 */
import pino, { type Logger } from 'pino';
import type { AppConfig } from '@kob/config';
import { assert } from '@kob/kernel';

const SECRET_HEADERS = ['authorization', '["x-api-key"]', 'cookie', '["x-psp-signature"]'];

export const REDACT_PATHS = [
  // Headers wherever a log call puts them (req.headers, request.headers, x.y.headers …).
  ...SECRET_HEADERS.flatMap((h) => {
    const dot = h.startsWith('[') ? h : `.${h}`;
    return [`headers${dot}`, `*.headers${dot}`, `*.*.headers${dot}`];
  }),
  '*.apiKey',
  '*.key',
  '*.secret',
  '*.password',
  'apiKey',
  'key',
  'secret',
  'password',
];

/**
 * Query parameters whose values are credentials: API keys and tokens, passwords, and the
 * signatures of signed URLs (`sig` of Azure SAS and ours, `X-Amz-Signature`/`X-Amz-Credential`/
 * `X-Amz-Security-Token` of S3, `X-Goog-Signature`, CloudFront's `Signature`/`Key-Pair-Id`/`Policy`).
 * Names are compared lower-cased without punctuation (`X-Amz-Signature` → `xamzsignature`), so
 * spellings and encodings of one name all match; redacting a harmless parameter costs nothing.
 */
const SECRET_PARAM_PART =
  /key|token|secret|passw|pwd|signature|credential|auth|session|jwt|cookie|hmac|otp|policy/;
const SECRET_PARAM_EXACT = new Set(['sig', 'code', 'pin']);

export function isSecretParam(name: string): boolean {
  const plain = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_PARAM_EXACT.has(plain) || SECRET_PARAM_PART.test(plain);
}

const REDACTED = '[redacted]';

/** A URL for the logs: values of query parameters that look like credentials are replaced. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let secret = false;
  for (const name of new Set(params.keys())) {
    if (!isSecretParam(name)) continue;
    secret = true;
    params.set(name, REDACTED);
  }
  return secret ? `${url.slice(0, q)}?${params.toString()}` : url;
}

/** `name=value` after `?`, `&` or `;` inside free text (a message or a stack naming a URL). */
const TEXT_PARAM = /([?&;])([^=&#\s?;"'<>]{1,200})=([^&#\s"';<>]*)/g;

/** Free text for the logs: credential-like query parameters of any URL in it are replaced. */
export function loggableText(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(TEXT_PARAM, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // A malformed escape: judge the name as written.
    }
    return isSecretParam(decoded) ? `${sep}${name}=${REDACTED}` : whole;
  });
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'kobatela-ledger' },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      // URLs reach the logs three ways: the request serializer, messages that quote a URL
      // (Fastify's own warnings do), and errors whose message or stack does. All three are
      // scrubbed of credential-like query parameters.
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? loggableText(a) : a)) as Parameters<
              typeof method
            >,
          );
        },
      },
      serializers: {
        req: (req: { method?: string; url?: string; host?: string; ip?: string }) => ({
          method: req.method,
          url: loggableUrl(req.url ?? ''),
          host: req.host,
          remoteAddress: req.ip,
        }),
        err: (err: Error) => {
          const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
          for (const k of ['message', 'stack']) {
            if (typeof out[k] === 'string') out[k] = loggableText(out[k] as string);
          }
          return out;
        },
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}

export function safeConfigSummary(config: AppConfig): Record<string, unknown> {
  return {
    appEnv: config.appEnv,
    port: config.port,
    database: config.databaseUrl ? 'DATABASE_URL' : `embedded (${config.dataDir})`,
    dataDir: config.dataDirMovedFrom
      ? `${config.dataDir} (DATA_DIR not set; the default ${config.dataDirMovedFrom} is in a folder ` +
        'closed to the postgres user that runs the embedded PostgreSQL)'
      : config.dataDir,
    migrateAs: config.databaseUrl
      ? config.databaseOwnerUrl
        ? 'DATABASE_OWNER_URL'
        : 'DATABASE_URL'
      : 'embedded owner role',
    projectionsMode: config.projectionsMode,
    currencies: [...config.currencies.keys()],
    pspProvider: config.pspProvider,
    apiKeySecret: config.apiKeySecretSource,
    // Operators should see at start which budgets and proxies this process works with.
    rateLimits: config.rateLimits,
    trustProxy: config.trustProxy,
  };
}

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Fastify's `childLoggerFactory`: each request's logger (its bindings: the request id) is made
 * by pino only when the request logs something at a level that is on. Fastify asks for one per
 * request, and a pino child costs several kilobytes (its bindings serialised through the
 * redaction), mostly for requests that never log; this one costs a small object until used.
 */
export function deferredRequestLogger(
  parent: object,
  bindings: pino.Bindings,
  options: pino.ChildLoggerOptions,
): DeferredLogger {
  // Fastify's parent is the logger given to it: one of ours (createLogger).
  assert(typeof (parent as Logger).levels?.values === 'object', 'the parent is a pino logger');
  return new DeferredLogger(parent as Logger, bindings, options);
}

export class DeferredLogger {
  private made: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly bindingsGiven: pino.Bindings,
    private readonly options: pino.ChildLoggerOptions,
  ) {}

  /** The pino child, made on first use. */
  get logger(): Logger {
    return (this.made ??= this.parent.child(this.bindingsGiven, this.options));
  }

  get level(): string {
    // As pino does: an empty level (Fastify's route default) is the parent's.
    return this.made?.level ?? (this.options.level || this.parent.level);
  }

  /** Setting a level (as pino allows on any logger) makes the child and sets it there. */
  set level(level: string) {
    this.logger.level = level;
  }

  isLevelEnabled(level: string): boolean {
    if (this.made) return this.made.isLevelEnabled(level);
    const values = this.parent.levels.values;
    const at = values[level];
    return at !== undefined && this.level !== 'silent' && at >= (values[this.level] ?? Infinity);
  }

  private write(method: LogMethod, args: unknown[]): void {
    if (this.isLevelEnabled(method))
      (this.logger[method] as (...a: unknown[]) => void).apply(this.logger, args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  bindings(): pino.Bindings {
    return this.made ? this.made.bindings() : { ...this.parent.bindings(), ...this.bindingsGiven };
  }
}
