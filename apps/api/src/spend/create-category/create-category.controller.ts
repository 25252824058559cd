/** `POST /spend/categories` (KOBATELA-SPEC.md §2.9): 409 CATEGORY_EXISTS for a code taken. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { CreateCategoryCommand } from './create-category.command';
import { CreateCategoryBody } from './create-category.request';

@ApiController('spend', 'spend')
export class CreateCategoryController extends BodyCommandController({
  status: 201,
  path: 'categories',
  access: ['support'],
  answers: 'The category; 409 CATEGORY_EXISTS for a code already taken',
  body: CreateCategoryBody,
  command: CreateCategoryCommand,
}) {}
