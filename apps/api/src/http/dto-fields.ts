/**
 * Field decorators the request bodies share: money amounts (a decimal string, or a JSON number
 * from older clients; the currency's scale is checked by the handler with `Money.parse`) and
 * ISO 4217 currency codes (checked against `CURRENCIES` by the handler).
 */
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

/** Amounts: a decimal string (preferred) or a JSON number from older clients. */
export const isAmount = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number';

/** A required amount, named in its error by the property it decorates. */
export function AmountField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    ApiProperty(doc)(target, key);
    ValidateIf((_o, v) => !isAmount(v))(target, key);
    IsString({ message: `${String(key)} must be a decimal string` })(target, key);
  };
}

/** An optional amount that may also be null (no limit). */
export function OptionalAmountField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ nullable: true, ...doc })(target, key);
    IsOptional()(target, key);
    ValidateIf((_o, v) => v !== null && !isAmount(v))(target, key);
    IsString({ message: `${String(key)} must be a decimal string` })(target, key);
  };
}

/** A three-letter currency code. */
export function CurrencyField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ example: 'USD', ...doc })(target, key);
    IsString()(target, key);
    MinLength(3)(target, key);
    MaxLength(3)(target, key);
  };
}
