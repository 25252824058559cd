/**
 * The users a transfer route names, read from their streams (identity/user-lookup.ts): whether
 * they all exist (a fact the deciders judge), or 404 USER_NOT_FOUND for the first that does not.
 */
import type { CommandRunner } from '@kob/platform';
import { requireUser, userExists } from '../../identity/user-lookup';

export async function allUsersExist(commands: CommandRunner, ids: string[]): Promise<boolean> {
  return (await Promise.all(ids.map((id) => userExists({ commands }, id)))).every(Boolean);
}

/** Checks the users one after the other, in the order named. */
export async function requireUsers(commands: CommandRunner, ids: string[]): Promise<void> {
  for (const id of ids) await requireUser({ commands }, id);
}
