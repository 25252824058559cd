/**
 * Field decorators the request bodies share: fields that may be absent or null, money amounts and
 * ISO 4217 currency codes.
 *
 * Amounts are decimal strings only ("99.99"). A JSON number is refused (422 VALIDATION_ERROR
 * naming the field) rather than read: by the time the body is parsed, a number such as
 * 99999999999999.999 has already been rounded through binary floating point (it arrives as
 * 100000000000000), so no later check could tell that the client asked for something else.
 * The currency's scale is checked by the handler with `Money.parse`; currency codes are checked
 * against `CURRENCIES` by the handler.
 */
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

/**
 * A field that may be absent or null (both mean "none"): the validators stacked under it check
 * any other value.
 */
export function OptionalOrNull(): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    ValidateIf((_o, v) => v !== null)(target, key);
  };
}

const amountMessage = (key: string | symbol) =>
  `${String(key)} must be a decimal string such as "10.50" (JSON numbers are not accepted for money)`;

/** A required amount, named in its error by the property it decorates. */
export function AmountField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ type: 'string', ...doc })(target, key);
    IsString({ message: amountMessage(key) })(target, key);
  };
}

/** An optional amount that may also be null (no limit). */
export function OptionalAmountField(doc: ApiPropertyOptions = {}): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: 'string', nullable: true, ...doc })(target, key);
    // Absent and null both mean "no amount"; anything else must be a decimal string.
    IsOptional()(target, key);
    IsString({ message: amountMessage(key) })(target, key);
  };
}

/**
 * Money inside a free-form object (a milestone's `proof_requirements.expected_amount`, which the
 * document checks compare with an invoice's total): absent or null, or a decimal string.
 */
export function MoneyKeysAreStrings(keys: readonly string[]): PropertyDecorator {
  return ValidateBy({
    name: 'moneyKeysAreStrings',
    validator: {
      validate: (value: unknown) => {
        if (value === null || typeof value !== 'object') return true;
        const record = value as Record<string, unknown>;
        const isMoney = (v: unknown) => v === undefined || v === null || typeof v === 'string';
        return keys.every((k) => isMoney(record[k]));
      },
      defaultMessage: (args) =>
        keys.map((k) => `${args?.property}.${k}`).join(', ') +
        ' must be a decimal string such as "10.50" (JSON numbers are not accepted for money)',
    },
  });
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
