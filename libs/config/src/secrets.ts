/** The service's secrets and keys from the environment: API_KEY_SECRET (kept in DATA_DIR in
 * development), the bootstrap admin key, the legacy development key. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AppConfig, type AppEnv, ConfigError } from './config-types';
import { type Env, raw } from './env-readers';

export const API_KEY_FORMAT = /^koba_[0-9a-f]{6}\.[A-Za-z0-9_-]{32,256}$/;
const SECRET_MIN_LENGTH = 32;

/** A process that handles no API keys keeps a given secret (validated) and needs none. */
export function unusedApiKeySecret(env: Env): {
  value: string;
  source: AppConfig['apiKeySecretSource'];
} {
  const given = raw(env, 'API_KEY_SECRET');
  if (given && given.length < SECRET_MIN_LENGTH) {
    throw new ConfigError('API_KEY_SECRET', `must be at least ${SECRET_MIN_LENGTH} characters`);
  }
  return given ? { value: given, source: 'env' } : { value: '', source: 'not_needed' };
}

/**
 * API_KEY_SECRET: required in production. In development a missing secret is generated once
 * and kept in DATA_DIR (mode 0600) so keys survive restarts; in test it is random per process.
 */
export function apiKeySecret(
  env: Env,
  appEnv: AppEnv,
  dataDir: string,
): {
  value: string;
  source: AppConfig['apiKeySecretSource'];
} {
  const given = raw(env, 'API_KEY_SECRET');
  if (given) {
    if (given.length < SECRET_MIN_LENGTH) {
      throw new ConfigError('API_KEY_SECRET', `must be at least ${SECRET_MIN_LENGTH} characters`);
    }
    return { value: given, source: 'env' };
  }
  if (appEnv === 'production') {
    throw new ConfigError(
      'API_KEY_SECRET',
      'is required when APP_ENV=production (set a random value of at least 32 characters)',
    );
  }
  if (appEnv === 'test')
    return { value: randomBytes(32).toString('base64url'), source: 'ephemeral' };
  const file = path.join(dataDir, 'api-key-secret');
  try {
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      try {
        writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, {
          mode: 0o600,
          flag: 'wx',
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const value = readFileSync(file, 'utf8').trim();
    if (value.length < SECRET_MIN_LENGTH) {
      throw new ConfigError(
        'API_KEY_SECRET',
        `kept in ${file} is shorter than ${SECRET_MIN_LENGTH} characters: delete the file to generate a new one`,
      );
    }
    return { value, source: 'data_dir' };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      'DATA_DIR',
      `(${dataDir}) cannot hold the generated API key secret (${e.code ?? e.message}): set DATA_DIR to a ` +
        'folder this process may create and write, or set API_KEY_SECRET',
    );
  }
}

const DEV_API_KEY_MIN_LENGTH = 16;

/** The legacy key is an admin credential in development: it must not be guessable. */
export function devApiKey(env: Env): string | null {
  const value = raw(env, 'DEV_API_KEY');
  if (value !== undefined && value.length < DEV_API_KEY_MIN_LENGTH) {
    throw new ConfigError('DEV_API_KEY', `must be at least ${DEV_API_KEY_MIN_LENGTH} characters`);
  }
  return value ?? null;
}
