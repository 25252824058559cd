/** The 404s of the transfer routes. */
import { ApiError } from '../../http/api-error';

export const transactionNotFound = () =>
  new ApiError(404, 'TRANSACTION_NOT_FOUND', 'Transaction not found.');
export const certificationNotFound = () =>
  new ApiError(404, 'CERTIFICATION_NOT_FOUND', 'Certification not found.');
