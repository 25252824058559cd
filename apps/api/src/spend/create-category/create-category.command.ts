import type { Committed } from '../../http/committed';
import type { CategoryRead } from '../shared/catalogue.view';
import { SpendCommand } from '../shared/spend-command';
import type { CreateCategoryBody } from './create-category.request';

/** Support creates a spend category, its code unique case-insensitively. */
export class CreateCategoryCommand extends SpendCommand<
  CreateCategoryBody,
  Committed<CategoryRead>
> {}
