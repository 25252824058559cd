/** Field decorators the mandate and spend requests share. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsOptional, IsUUID, ValidateIf } from 'class-validator';

/** An optional id that may also be null (a uuid when given). */
export function NullableUuidField(doc: ApiPropertyOptions = { nullable: true }): PropertyDecorator {
  // Listed bottom-up, as stacked decorators apply.
  return applyDecorators(
    IsUUID(),
    ValidateIf((_o, v) => v !== null),
    IsOptional(),
    ApiPropertyOptional({ format: 'uuid', ...doc } as ApiPropertyOptions),
  );
}

/** A required id (a uuid). */
export function UuidField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(IsUUID(), ApiProperty({ format: 'uuid', ...doc } as ApiPropertyOptions));
}

/** An optional id filter of a list (a uuid when given). */
export function UuidFilter(): PropertyDecorator {
  return applyDecorators(IsUUID(), IsOptional(), ApiPropertyOptional({ format: 'uuid' }));
}
