/**
 * Ids in paths: UUIDs, compared in lower case (stream ids are case-sensitive, clients may send
 * upper case). Anything that is not a UUID cannot name a record: the route's own 404.
 */
import { isUuid } from '@kob/kernel';
import type { ApiError } from './api-error';

export function routeId(raw: string, notFound: () => ApiError): string {
  const id = raw.toLowerCase();
  if (!isUuid(id)) throw notFound();
  return id;
}
