/** Lists: `{items, total, limit, offset}`; `limit` 1–200 (default 50), above → 422. */
import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { limits } from '@kob/kernel';

/**
 * A query number is plain decimal digits. `Number()` (what `@Type(() => Number)` does) also reads
 * `''` as 0, `0x10` as 16 and `1e2` as 100, so those passed as valid pages; anything that is not
 * digits is left as the string it was and fails `@IsInt` with a 422.
 */
export const wholeNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class PageQuery {
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt()
  @Min(1)
  @Max(limits.pageLimitMax)
  limit: number = limits.pageLimitDefault;

  @IsOptional()
  @Transform(wholeNumber)
  @IsInt()
  @Min(0)
  @Max(limits.pageOffsetMax)
  offset: number = 0;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * A page's class for the OpenAPI document, its `items` of class `item` (a list's page extends it
 * under its own name: the schema's).
 */
export function PageOf<T>(item: Type<T>, itemsDescription?: string): Type<Page<T>> {
  class PageView implements Page<T> {
    @ApiProperty(
      itemsDescription === undefined
        ? { type: [item] }
        : { type: [item], description: itemsDescription },
    )
    items!: T[];
    @ApiProperty()
    total!: number;
    @ApiProperty()
    limit!: number;
    @ApiProperty()
    offset!: number;
  }
  return PageView;
}

/** The page a query asks for (a `PageQuery`, or the same two numbers). */
export interface PageRequest {
  limit: number;
  offset: number;
}
