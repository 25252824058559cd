/** `POST /escrows/{id}/check-deadline` (API-RULES.md §2): no body. */
import { IdCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { escrowNotFound } from '../shared/escrow-errors';
import { CheckDeadlineCommand } from './check-deadline.command';

@ApiController('escrows', 'escrows')
export class CheckDeadlineController extends IdCommandController({
  status: 200,
  path: ':id/check-deadline',
  access: ['sender', 'support'],
  notFound: escrowNotFound,
  command: CheckDeadlineCommand,
  answers: 'The escrow: unchanged before its deadline, else its on_deadline outcome',
  name: 'checkDeadline',
}) {}
