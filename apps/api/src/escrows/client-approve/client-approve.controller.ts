/** `POST /escrows/{id}/client-approve` (API-RULES.md §2): the escrow's client decides. */
import { IdCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { ClientDecisionBody } from '../shared/client-decision.request';
import { escrowNotFound } from '../shared/escrow-errors';
import { ClientApproveCommand } from './client-approve.command';

@ApiController('escrows', 'escrows')
export class ClientApproveController extends IdCommandController({
  status: 200,
  path: ':id/client-approve',
  notFound: escrowNotFound,
  body: ClientDecisionBody,
  command: ClientApproveCommand,
  answers: 'The escrow, RELEASED, with the payouts this started',
  name: 'approve',
}) {}
