/**
 * Spend category decider (`spend_category-{id}`): created once, with a code unique across the
 * catalogue (the `spend-category-code` reservation the handler claims in the same append) and a
 * label. Categories never change afterwards.
 */
import { recordDecider } from '../decider-kit';
import { invalid } from '../escrow/escrow.validate';
import type { SpendCategoryCommand } from './spend.commands';
import type { SpendCategoryEvent } from './spend.events';

export const spendLimits = {
  categoryCodeLengthMax: 64,
  categoryLabelLengthMax: 255,
  merchantNameLengthMax: 255,
} as const;

export interface SpendCategoryState {
  exists: boolean;
  categoryId: string;
  code: string;
  label: string;
  createdAt: string;
}

/** A required text field: not blank, at most `max` characters. */
export function catalogueText(value: string, field: string, max: number): string {
  if (value.trim().length === 0) throw invalid(field, 'must not be blank');
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  return value;
}

export const spendCategoryDecider = recordDecider<
  SpendCategoryState,
  SpendCategoryCommand,
  SpendCategoryEvent
>({
  category: 'spend_category',
  initialState: () => ({ exists: false, categoryId: '', code: '', label: '', createdAt: '' }),
  conflict: { code: 'CATEGORY_EXISTS', what: 'spend category' },
  create: (command) => ({
    type: 'spend.category_created.v1',
    data: {
      categoryId: command.categoryId,
      code: catalogueText(command.code, 'code', spendLimits.categoryCodeLengthMax),
      label: catalogueText(command.label, 'label', spendLimits.categoryLabelLengthMax),
      createdAt: command.now,
    },
  }),
});
