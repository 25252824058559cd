/**
 * Who a key acts for, as the web frontend reads it (FRONTEND-CONTRACT §3.2): `role` and `scopes`
 * follow the KEY's scope (a user's sender key acts as sender and provider, whatever the user's
 * role has become), the user's fields come from its stream. A key without a user (the bootstrap
 * admin, the legacy development key) has null id, number and email, and its name as username.
 */
import type { UserRole, UserState } from '@kob/domain';
import type { Scope } from '@kob/kernel';

export interface SessionUserRead {
  id: string | null;
  number: number | null;
  email: string | null;
  username: string;
  role: UserRole;
  scopes: string[];
  is_active: boolean;
}

const SCOPE_VIEW: Record<Scope, { role: UserRole; scopes: string[] }> = {
  sender: { role: 'user', scopes: ['SENDER', 'PROVIDER'] },
  support: { role: 'support', scopes: ['SUPPORT'] },
  admin: { role: 'admin', scopes: ['ADMIN'] },
  auditor: { role: 'auditor', scopes: ['AUDITOR'] },
};

export function sessionUserView(
  scope: Scope,
  user: UserState | null,
  keyName: string,
): SessionUserRead {
  const { role, scopes } = SCOPE_VIEW[scope];
  if (!user?.exists) {
    return {
      id: null,
      number: null,
      email: null,
      username: keyName,
      role,
      scopes,
      is_active: true,
    };
  }
  return {
    id: user.userId,
    number: user.number,
    email: user.email,
    username: user.username,
    role,
    scopes: [...scopes],
    is_active: user.isActive,
  };
}
