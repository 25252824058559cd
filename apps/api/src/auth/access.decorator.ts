/**
 * Who may call a route (API-RULES.md §1), declared on the handler and enforced by the global
 * AccessGuard. A route without `@Access` or `@Public` is refused for everyone: access is granted,
 * never assumed. `admin` passes every scope check; party and ownership rules (NOT_ESCROW_PARTY,
 * NOT_OWNER, KEY_HAS_NO_USER) are the handlers' business, on top of the scope check.
 */
import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@kob/kernel';

export const ACCESS_METADATA = 'kobatela:access';

export type AccessRule = { public: true } | { public: false; scopes: Scope[] };

/** The scopes that may call this route (admin is always allowed as well). */
export const Access = (...scopes: Scope[]) =>
  SetMetadata(ACCESS_METADATA, {
    public: false,
    scopes: [...new Set<Scope>([...scopes, 'admin'])],
  } satisfies AccessRule);

/** No API key needed (health, metrics, docs; the PSP webhook authenticates by signature). */
export const Public = () => SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessRule);
