/**
 * Answer shapes of the ledger routes (API-RULES.md §3): journal entries, one account with a page
 * of its entries, an escrow's entries with its held balance, and the trial balance. Amounts are
 * decimal strings at the currency's scale; positions are opaque tokens.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '../../http/pagination';

const SIDES = ['debit', 'credit'] as const;
const KINDS = [
  'psp_cash',
  'escrow_held',
  'provider_payable',
  'client_refundable',
  'payee_payable',
] as const;

export class LedgerEntryView {
  @ApiProperty({ description: 'Opaque position token of the event in $all' })
  position!: string;
  @ApiProperty({ format: 'uuid', description: 'The event that posted this entry' })
  event_id!: string;
  @ApiProperty({ example: 'escrow.deposit_confirmed.v1' })
  event_type!: string;
  @ApiProperty({ format: 'uuid' })
  escrow_id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Null for deposits' })
  payment_id!: string | null;
  @ApiProperty({ example: 'psp:cash:USD' })
  debit_account!: string;
  @ApiProperty({ example: 'escrow:6f1c1d52-54f4-4c1e-9a8e-2c5e3e0a7b11:held:USD' })
  credit_account!: string;
  @ApiProperty({ example: '100.00', description: 'Decimal string at the currency scale' })
  amount!: string;
  @ApiPropertyOptional({
    enum: SIDES,
    description: 'The side of the listed account (account statements only)',
  })
  side?: 'debit' | 'credit';
  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;
}

export class LedgerEntriesPage extends PageOf(LedgerEntryView, 'Oldest first, in $all order') {}

export class LedgerAccountView {
  @ApiProperty({ example: 'provider:6f1c1d52-54f4-4c1e-9a8e-2c5e3e0a7b11:payable:USD' })
  account!: string;
  @ApiProperty({ example: 'USD' })
  currency!: string;
  @ApiProperty({ enum: KINDS })
  kind!: (typeof KINDS)[number];
  @ApiProperty({ enum: SIDES, description: 'debit for psp:cash (an asset), credit otherwise' })
  normal_side!: 'debit' | 'credit';
  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  escrow_id!: string | null;
  @ApiProperty({ example: '40.00', description: 'On the normal side; never negative' })
  balance!: string;
  @ApiProperty({ example: '100.00' })
  debits!: string;
  @ApiProperty({ example: '140.00' })
  credits!: string;
  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
  @ApiProperty({ type: LedgerEntriesPage })
  entries!: LedgerEntriesPage;
}

export class EscrowLedgerView {
  @ApiProperty({ format: 'uuid' })
  escrow_id!: string;
  @ApiProperty({ example: 'USD' })
  currency!: string;
  @ApiProperty({ example: 'escrow:6f1c1d52-54f4-4c1e-9a8e-2c5e3e0a7b11:held:USD' })
  held_account!: string;
  @ApiProperty({ example: '60.00', description: 'The balance of the held account' })
  held!: string;
  @ApiProperty({ type: LedgerEntriesPage })
  entries!: LedgerEntriesPage;
}

export class TrialBalanceRowView {
  @ApiProperty({ example: 'USD' })
  currency!: string;
  @ApiProperty({ example: '1250.00', description: 'Sum of the debit lines of this ledger' })
  debits!: string;
  @ApiProperty({ example: '1250.00', description: 'Sum of the credit lines of this ledger' })
  credits!: string;
  @ApiProperty({ description: 'debits = credits' })
  balanced!: boolean;
  @ApiProperty({ description: 'Journal entries in this currency' })
  entries!: number;
}

export class TrialBalanceView {
  @ApiProperty({ type: [TrialBalanceRowView], description: 'One row per currency' })
  items!: TrialBalanceRowView[];
}
