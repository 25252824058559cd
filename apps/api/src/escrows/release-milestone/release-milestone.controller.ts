/** `POST /escrows/milestones/{milestoneId}/release` (API-RULES.md §2): no body. */
import { IdCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { milestoneNotFound } from '../shared/escrow-errors';
import { ReleaseMilestoneCommand } from './release-milestone.command';

@ApiController('escrows', 'escrows')
export class ReleaseMilestoneController extends IdCommandController({
  status: 200,
  path: 'milestones/:milestoneId/release',
  param: 'milestoneId',
  notFound: milestoneNotFound,
  command: ReleaseMilestoneCommand,
  answers: 'The payout of the milestone (a repeat answers the existing payout), with the milestone',
  name: 'release',
}) {}
