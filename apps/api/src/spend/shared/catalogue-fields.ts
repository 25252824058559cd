/** A catalogue text field: trimmed, not blank, bounded, no control or invisible characters. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { VISIBLE_TEXT } from '../../identity/identity-text';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const INVISIBLE_MESSAGE = 'must not contain control or invisible characters';

export function CatalogueText(
  field: string,
  maxLength: number,
  doc: ApiPropertyOptions,
): PropertyDecorator {
  // Listed bottom-up, as stacked decorators apply.
  return applyDecorators(
    Matches(VISIBLE_TEXT, { message: `${field} ${INVISIBLE_MESSAGE}` }),
    MaxLength(maxLength),
    MinLength(1, { message: `${field} must not be blank` }),
    IsString(),
    Transform(trim),
    ApiProperty({ ...doc, maxLength } as ApiPropertyOptions),
  );
}
