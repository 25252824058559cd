/** Where other features find the escrow party rule (it lives in escrows/shared). */
export { type EscrowRole, checkParty } from './shared/escrow-access';
