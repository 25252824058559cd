/**
 * The filters of `GET /admin/payments` (FRONTEND-CONTRACT.md §6.3; validated, unknown ones
 * refused). `payment_id` and `id` both name a payment: the frontend's detail page sends both with
 * the same value, and a value that is not a UUID names no payment (an empty list, not a 422).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { EnumFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';
import { PAYMENT_STATUS_NAMES } from '../shared/payments.view';

/** The answers' names, and `FAILED` as a synonym of `ERROR` (A5). */
export const PAYMENT_STATUS_FILTERS = [...PAYMENT_STATUS_NAMES, 'FAILED'] as const;
export type PaymentStatusFilter = (typeof PAYMENT_STATUS_FILTERS)[number];

/** A payment id as the frontend sends it: any one text (one that is not a UUID matches none). */
const PaymentIdFilter = () =>
  applyDecorators(
    IsString(),
    IsOptional(),
    ApiPropertyOptional({ description: 'a payment id; one that is not a UUID matches none' }),
  );

export class PaymentListQuery extends PageQuery {
  @EnumFilter(PAYMENT_STATUS_FILTERS)
  status?: PaymentStatusFilter;

  @UuidFilter()
  escrow_id?: string;

  @PaymentIdFilter()
  payment_id?: string;

  @PaymentIdFilter()
  id?: string;
}
