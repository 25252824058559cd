/**
 * The users read model: one row per user, for `GET /users` and for authentication (a key whose
 * user is inactive is refused from the next request on).
 */
import type { UserEvent } from '@kob/domain';
import { columnsFrom, eventProjector, insertOnce, updateById } from '../projector-shell';

export const usersProjection = eventProjector<UserEvent>(
  { name: 'users', version: 1, tables: ['users'] },
  {
    'user.registered.v1': (trx, d) =>
      insertOnce(trx, 'users', {
        id: d.userId,
        ...columnsFrom(d, ['username', 'email', 'isActive', 'publicTag']),
        role: d.role ?? 'user',
        number: d.number ?? null,
        created_at: d.registeredAt,
        updated_at: d.registeredAt,
      }),
    'user.updated.v1': (trx, { userId, changes: c, updatedAt }) =>
      updateById(trx, 'users', userId, {
        ...(c.isActive !== undefined ? { is_active: c.isActive } : {}),
        ...(c.publicTag !== undefined ? { public_tag: c.publicTag } : {}),
        ...(c.role !== undefined ? { role: c.role } : {}),
        updated_at: updatedAt,
      }),
    'user.numbered.v1': (trx, { userId, number }) => updateById(trx, 'users', userId, { number }),
  },
);
