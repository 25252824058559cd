import type { PublicTag } from './user.events';

export type UserCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      username: string;
      email: string;
      isActive: boolean;
      publicTag: PublicTag | null;
      now: string;
    }
  | {
      type: 'UpdateUser';
      userId: string;
      isActive?: boolean;
      publicTag?: PublicTag | null;
      now: string;
    };
