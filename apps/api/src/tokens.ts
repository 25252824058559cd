/** Injection tokens of the API module. */
export const PLATFORM = Symbol('PLATFORM');
export const LOGGER = Symbol('LOGGER');
export const PAYMENTS = Symbol('PAYMENTS');
export const PROOFS = Symbol('PROOFS');
