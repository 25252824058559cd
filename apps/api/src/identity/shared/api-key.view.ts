/**
 * How API keys leave the API (`ApiKeyRead`): never the key or its hash; `is_active` says whether
 * the key authenticates now (not revoked, not expired, its user active).
 */

export interface ApiKeyRead {
  id: string;
  name: string;
  prefix: string;
  scope: string;
  user_id: string | null;
  is_active: boolean;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function apiKeyRowView(r: Record<string, any>): ApiKeyRead {
  const expired = r.expires_at !== null && new Date(r.expires_at).getTime() <= Date.now();
  const userBlocked = r.user_id !== null && r.user_active !== true;
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scope: r.scope,
    user_id: r.user_id,
    is_active: r.revoked_at === null && !expired && !userBlocked,
    created_at: iso(r.created_at)!,
    expires_at: iso(r.expires_at),
    revoked_at: iso(r.revoked_at),
    last_used_at: iso(r.last_used_at ?? null),
  };
}
