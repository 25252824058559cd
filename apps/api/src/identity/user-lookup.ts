/**
 * Whether a user exists, read from its stream (never from the users read model, which may lag):
 * what the routes that name users in their bodies check before acting (404 USER_NOT_FOUND).
 */
import { userDecider } from '@kob/domain';
import type { Platform } from '@kob/platform';
import { ApiError } from '../http/api-error';

export async function userExists(
  platform: Pick<Platform, 'commands'>,
  id: string,
): Promise<boolean> {
  const { state } = await platform.commands.read(`user-${id}`, userDecider);
  return state.exists;
}

/** 404 USER_NOT_FOUND (with `message`) unless the user exists. */
export async function requireUser(
  platform: Pick<Platform, 'commands'>,
  id: string,
  message = 'User not found.',
): Promise<void> {
  if (!(await userExists(platform, id))) throw new ApiError(404, 'USER_NOT_FOUND', message);
}
