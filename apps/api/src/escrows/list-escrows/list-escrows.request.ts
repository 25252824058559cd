/** The filters of `GET /escrows` (validated; unknown ones refused). */
import { Type } from 'class-transformer';
import { EnumFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';

export const ESCROW_STATUSES = [
  'DRAFT',
  'FUNDED',
  'RELEASABLE',
  'RELEASED',
  'REFUNDED',
  'CANCELLED',
] as const;

/**
 * The frontend's escrow statuses include `ACTIVE`, which no escrow of ours ever has: filtering on
 * it answers an empty list rather than a 422 (FRONTEND-CONTRACT.md A5).
 */
export const NEVER_HELD_STATUSES = ['ACTIVE'] as const;

export class EscrowListQuery extends PageQuery {
  @EnumFilter([...ESCROW_STATUSES, ...NEVER_HELD_STATUSES])
  status?: (typeof ESCROW_STATUSES)[number] | (typeof NEVER_HELD_STATUSES)[number];

  @UuidFilter()
  client_id?: string;

  @UuidFilter()
  @Type(() => String)
  provider_id?: string;

  /**
   * `true`: the escrows whose client is the caller's user, newest first, as a bare array (the
   * frontend's sender list, FRONTEND-CONTRACT.md §4.1); `false` is as if absent.
   */
  @EnumFilter(['true', 'false'])
  mine?: 'true' | 'false';

  /** The client's user (a sender may name only its own: 403 NOT_OWNER). */
  @UuidFilter()
  sender_id?: string;
}
