/**
 * The users read model: one row per user, for `GET /users` and for authentication (a key whose
 * user is inactive is refused from the next request on).
 */
import type { UserEvent } from '@kob/domain';
import { eventProjector, insertOnce } from '../projector-shell';

export const usersProjection = eventProjector<UserEvent>(
  { name: 'users', version: 1, tables: ['users'] },
  async (trx, e) => {
    switch (e.type) {
      case 'user.registered.v1':
        await insertOnce(trx, 'users', {
          id: e.data.userId,
          username: e.data.username,
          email: e.data.email,
          is_active: e.data.isActive,
          public_tag: e.data.publicTag,
          created_at: e.data.registeredAt,
          updated_at: e.data.registeredAt,
        });
        break;
      case 'user.updated.v1': {
        const c = e.data.changes;
        await trx
          .updateTable('users')
          .set({
            ...(c.isActive !== undefined ? { is_active: c.isActive } : {}),
            ...(c.publicTag !== undefined ? { public_tag: c.publicTag } : {}),
            updated_at: e.data.updatedAt,
          })
          .where('id', '=', e.data.userId)
          .execute();
        break;
      }
      default:
        break;
    }
  },
);
