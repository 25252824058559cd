/**
 * The catalogue as its streams say (never a read model): whether a category exists. The creation
 * of an entry whose name is unique case-insensitively is platform/unique-creation.ts.
 */
import { spendCategoryDecider } from '@kob/domain';
import type { CommandRunner } from '@kob/platform';

export async function categoryExists(commands: CommandRunner, id: string): Promise<boolean> {
  const { state } = await commands.read(`spend_category-${id}`, spendCategoryDecider);
  return state.exists;
}
