/** The 404s of the users and API key routes. */
import { ApiError } from '../../http/api-error';

export const keyNotFound = () => new ApiError(404, 'APIKEY_NOT_FOUND', 'API key not found.');
export const userNotFound = () => new ApiError(404, 'USER_NOT_FOUND', 'User not found.');
