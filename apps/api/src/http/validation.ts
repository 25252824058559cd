/**
 * Body and query validation (class-validator): unknown fields are refused, every failure is a
 * 422 VALIDATION_ERROR listing messages per field in `details.fields`.
 */
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from './api-error';

function collect(errors: ValidationError[], prefix: string, out: Record<string, string[]>): void {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[field] = Object.values(e.constraints);
    if (e.children?.length) collect(e.children, field, out);
  }
}

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    // What Nest sets on every validation anyway (no target in the errors). Given here, Nest's
    // per-request `{ ...validatorOptions, validationError }` replaces a key the options already
    // have instead of adding one, which on Node 20 would give each of those objects a hidden
    // class of its own (kernel/copy-with.ts).
    validationError: { target: false },
    exceptionFactory: (errors) => {
      const fields: Record<string, string[]> = {};
      collect(errors, '', fields);
      return new ApiError(422, 'VALIDATION_ERROR', 'the request is not valid', { fields });
    },
  });
}
