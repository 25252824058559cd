import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface UsersTable {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  public_tag: string | null;
  role: string;
  number: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type UserRow = Selectable<UsersTable>;
