export type TallyCommand =
  | { type: 'OpenTally'; tallyId: string; currency: string; now: string }
  | { type: 'AddToTally'; tallyId: string; amount: string; scale: number; limit: string | null };
