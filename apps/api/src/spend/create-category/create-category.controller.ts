/** `POST /spend/categories` (KOBATELA-SPEC.md §2.9): 409 CATEGORY_EXISTS for a code taken. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { CategoryRead } from '../shared/catalogue.view';
import { CreateCategoryCommand } from './create-category.command';
import { CreateCategoryBody } from './create-category.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class CreateCategoryController extends CommandController {
  @CommandRoute(201, {
    path: 'categories',
    dispatches: CreateCategoryCommand,
    access: ['support'],
    answers: 'The category; 409 CATEGORY_EXISTS for a code already taken',
  })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateCategoryBody,
  ): Promise<Committed<CategoryRead>> {
    return this.commandBus.execute(new CreateCategoryCommand(origin, body));
  }
}
