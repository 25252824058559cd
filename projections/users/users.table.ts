import type { Selectable } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  public_tag: string | null;
  created_at: Date;
  updated_at: Date;
}

export type UserRow = Selectable<UsersTable>;
