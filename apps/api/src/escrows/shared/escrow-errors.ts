/** The 404s of the escrow routes. */
import { ApiError } from '../../http/api-error';

export const escrowNotFound = () => new ApiError(404, 'ESCROW_NOT_FOUND', 'Escrow not found.');
export const milestoneNotFound = () =>
  new ApiError(404, 'MILESTONE_NOT_FOUND', 'Milestone not found.');
