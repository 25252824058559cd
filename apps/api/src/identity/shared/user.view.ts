/** How users leave the API (`UserRead`): from the folded stream or a `users` row, times in ISO-8601 UTC. */
import type { UserRole, UserState } from '@kob/domain';

export interface UserRead {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  public_tag: string | null;
  /** FRONTEND-CONTRACT D2: what the user gets at email login */
  role: UserRole;
  /** FRONTEND-CONTRACT D3: given once, in order; null until a pre-number user is numbered */
  number: number | null;
  created_at: string;
  updated_at: string;
}

export function userStateView(s: UserState): UserRead {
  return {
    id: s.userId,
    username: s.username,
    email: s.email,
    is_active: s.isActive,
    public_tag: s.publicTag,
    role: s.role,
    number: s.number,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export function userRowView(r: Record<string, any>): UserRead {
  return {
    id: r.id,
    username: r.username,
    email: r.email,
    is_active: r.is_active,
    public_tag: r.public_tag,
    role: r.role,
    number: r.number === null || r.number === undefined ? null : Number(r.number),
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}
