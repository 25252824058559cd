/** The ids and instants the escrow fixtures use. */
export const E = 'e1';
export const CLIENT = 'c1';
export const PROVIDER = 'p1';
export const PAYEE = 'payee-1';
export const NOW = '2026-03-01T10:00:00.000Z';
export const DEADLINE = '2026-04-01T00:00:00.000Z';
export const JUST_BEFORE = '2026-03-31T23:59:59.999Z';
export const LATER = '2026-04-02T00:00:00.000Z';

/** The `idSeed` of the commands that start several payments, and the ids `childId` derives. */
export const SEED = '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a00';
export const SEED_IDS = [
  '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a00',
  '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a01',
  '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a02',
  '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a03',
] as const;
