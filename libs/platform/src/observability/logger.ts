/**
 * JSON logs (pino). Secrets never reach them: request headers that carry keys are redacted at
 * the source, and configuration is logged only through `safeConfigSummary`.
 */
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../../../config/src';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-psp-signature"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.key',
  '*.secret',
  '*.password',
  'apiKey',
  'key',
  'secret',
  'password',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'kobatela-ledger' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}

export function safeConfigSummary(config: AppConfig): Record<string, unknown> {
  return {
    appEnv: config.appEnv,
    port: config.port,
    database: config.databaseUrl ? 'DATABASE_URL' : `embedded (${config.dataDir})`,
    projectionsMode: config.projectionsMode,
    currencies: [...config.currencies.keys()],
    pspProvider: config.pspProvider,
    apiKeySecret: config.apiKeySecretSource,
  };
}
