/**
 * Field decorators of the lists' query strings: each filter is optional (absent: no filter) and,
 * when given, validated (422 naming it) and documented.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional, IsUUID } from 'class-validator';

/** A filter on one of `values` (a status, a kind). */
export function EnumFilter(values: readonly string[]): PropertyDecorator {
  // Listed bottom-up, as stacked decorators apply.
  return applyDecorators(IsIn(values), IsOptional(), ApiPropertyOptional({ enum: values }));
}

/** A filter on an id (a uuid). */
export function UuidFilter(): PropertyDecorator {
  return applyDecorators(IsUUID(), IsOptional(), ApiPropertyOptional({ format: 'uuid' }));
}

/**
 * A parameter a client sends that this service has no use for (the web frontend's advisor
 * filters, its `include_actions`): accepted whatever it holds, and ignored; `why` says why.
 */
export function IgnoredFilter(why: string): PropertyDecorator {
  return applyDecorators(
    Allow(),
    ApiPropertyOptional({ description: `accepted and ignored (${why})` }),
  );
}
