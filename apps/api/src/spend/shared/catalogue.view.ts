/** How catalogue entries leave the API: ids, times as ISO-8601 UTC. */
import type { MerchantState, SpendCategoryState } from '@kob/domain';
import { iso } from '../../http/formats';

export interface CategoryRead {
  id: string;
  code: string;
  label: string;
  created_at: string;
  updated_at: string;
}

export interface MerchantRead {
  id: string;
  name: string;
  category_id: string | null;
  is_certified: boolean;
  created_at: string;
  updated_at: string;
}

/** Categories and merchants never change after creation: updated_at = created_at. */
export function categoryStateView(s: SpendCategoryState): CategoryRead {
  return {
    id: s.categoryId,
    code: s.code,
    label: s.label,
    created_at: iso(s.createdAt),
    updated_at: iso(s.createdAt),
  };
}

export function categoryRowView(r: Record<string, any>): CategoryRead {
  return {
    id: r.id,
    code: r.code,
    label: r.label,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export function merchantStateView(s: MerchantState): MerchantRead {
  return {
    id: s.merchantId,
    name: s.name,
    category_id: s.categoryId,
    is_certified: s.isCertified,
    created_at: iso(s.createdAt),
    updated_at: iso(s.createdAt),
  };
}

export function merchantRowView(r: Record<string, any>): MerchantRead {
  return {
    id: r.id,
    name: r.name,
    category_id: r.category_id,
    is_certified: r.is_certified,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
