/** `POST /mandates` (API-RULES.md §1, KOBATELA-SPEC.md §2.8, §4.13): the mandate, ACTIVE. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { CreateMandateCommand } from './create-mandate.command';
import { CreateMandateBody } from './create-mandate.request';

@ApiController('mandates', 'mandates')
export class CreateMandateController extends BodyCommandController({
  status: 201,
  access: ['sender'],
  answers: 'The mandate, ACTIVE',
  body: CreateMandateBody,
  command: CreateMandateCommand,
}) {}
