/** `POST /users` (support, admin; API-RULES.md §1): a new user. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { CreateUserCommand } from './create-user.command';
import { CreateUserBody } from './create-user.request';

@ApiController('users', 'users')
export class CreateUserController extends BodyCommandController({
  status: 201,
  access: ['support'],
  answers: 'The user',
  body: CreateUserBody,
  command: CreateUserCommand,
}) {}
