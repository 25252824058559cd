/**
 * Field decorators of the lists' query strings: each filter is optional (absent: no filter) and,
 * when given, validated (422 naming it) and documented.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

/** A filter on one of `values` (a status, a kind). */
export function EnumFilter(values: readonly string[]): PropertyDecorator {
  // Listed bottom-up, as stacked decorators apply.
  return applyDecorators(IsIn(values), IsOptional(), ApiPropertyOptional({ enum: values }));
}

/** A filter on an id (a uuid). */
export function UuidFilter(): PropertyDecorator {
  return applyDecorators(IsUUID(), IsOptional(), ApiPropertyOptional({ format: 'uuid' }));
}
