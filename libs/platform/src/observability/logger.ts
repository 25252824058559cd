/**
 * JSON logs (pino). Secrets never reach them: request headers that carry keys are redacted at
 * the source, and configuration is logged only through `safeConfigSummary`.
 */
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../../../config/src';

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

const SECRET_QUERY_PARAM = /key|token|secret|password|signature|auth/i;

/** A URL for the logs: values of query parameters that look like credentials are replaced. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) {
    if (SECRET_QUERY_PARAM.test(name)) params.set(name, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'kobatela-ledger' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        req: (req: { method?: string; url?: string; host?: string; ip?: string }) => ({
          method: req.method,
          url: loggableUrl(req.url ?? ''),
          host: req.host,
          remoteAddress: req.ip,
        }),
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
    migrateAs: config.databaseUrl ? (config.databaseOwnerUrl ? 'DATABASE_OWNER_URL' : 'DATABASE_URL') : 'embedded owner role',
    projectionsMode: config.projectionsMode,
    currencies: [...config.currencies.keys()],
    pspProvider: config.pspProvider,
    apiKeySecret: config.apiKeySecretSource,
  };
}
