/** DATABASE_URL and DATABASE_OWNER_URL: the service role's and the owner role's database. */
import { ConfigError } from './config-types';
import { type Env, raw } from './env-readers';

export const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * DATABASE_OWNER_URL: the owner role of the external database named by DATABASE_URL (the same
 * database, another role). The embedded server makes its own roles, so it needs none.
 */
export function ownerUrl(env: Env, databaseUrl: string | null): string | null {
  const value = raw(env, 'DATABASE_OWNER_URL');
  if (value === undefined) return null;
  if (!POSTGRES_URL.test(value))
    throw new ConfigError('DATABASE_OWNER_URL', 'must be a postgres:// or postgresql:// URL');
  if (!databaseUrl) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      'is only for an external database: set DATABASE_URL too (the embedded server makes its own roles)',
    );
  }
  const owner = parseUrl(value, 'DATABASE_OWNER_URL');
  const service = parseUrl(databaseUrl, 'DATABASE_URL');
  if (decodeURIComponent(owner.username) === decodeURIComponent(service.username)) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      'names the same role as DATABASE_URL: it must be the owner role, DATABASE_URL the service role (or leave it unset)',
    );
  }
  if (
    owner.pathname !== service.pathname &&
    owner.pathname.length > 1 &&
    service.pathname.length > 1
  ) {
    throw new ConfigError(
      'DATABASE_OWNER_URL',
      `names another database (${owner.pathname.slice(1)}) than DATABASE_URL`,
    );
  }
  return value;
}

function parseUrl(value: string, name: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
}
