/** Field decorators the mandate and spend requests share. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { OptionalOrNull } from '../../http/dto-fields';

/** An optional id that may also be null (a uuid when given). */
export function NullableUuidField(doc: ApiPropertyOptions = { nullable: true }): PropertyDecorator {
  // Listed bottom-up, as stacked decorators apply.
  return applyDecorators(
    IsUUID(),
    OptionalOrNull(),
    ApiPropertyOptional({ format: 'uuid', ...doc } as ApiPropertyOptions),
  );
}

/** A required id (a uuid). */
export function UuidField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(IsUUID(), ApiProperty({ format: 'uuid', ...doc } as ApiPropertyOptions));
}
