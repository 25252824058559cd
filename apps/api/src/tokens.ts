/** Injection tokens of the API module (the platform's parts: platform/platform.providers.ts). */
export { LOGGER, PLATFORM } from './platform/platform.providers';
export const PAYMENTS = Symbol('PAYMENTS');
export const PROOFS = Symbol('PROOFS');
