/** `POST /escrows/{id}/client-reject` (API-RULES.md §2): the escrow's client decides. */
import { IdCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { ClientDecisionBody } from '../shared/client-decision.request';
import { escrowNotFound } from '../shared/escrow-errors';
import { ClientRejectCommand } from './client-reject.command';

@ApiController('escrows', 'escrows')
export class ClientRejectController extends IdCommandController({
  status: 200,
  path: ':id/client-reject',
  notFound: escrowNotFound,
  body: ClientDecisionBody,
  command: ClientRejectCommand,
  answers: 'The escrow, REFUNDED (or CANCELLED from DRAFT), with the refund this started',
  name: 'reject',
}) {}
