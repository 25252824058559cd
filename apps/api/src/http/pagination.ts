/** Lists: `{items, total, limit, offset}`; `limit` 1–200 (default 50), above → 422. */
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { limits } from '../../../../libs/kernel/src';

export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(limits.pageLimitMax)
  limit: number = limits.pageLimitDefault;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
