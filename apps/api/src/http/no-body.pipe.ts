/**
 * For routes that take no body (a release, a deadline check, a payment's execute or retry): a
 * body sent anyway is refused with 422 rather than ignored, so a client that believes it is
 * choosing something (`{"amount": "1.00"}` on a release) learns that it is not. Absent, `null`
 * and `{}` are accepted.
 */
import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

@Injectable()
export class NoBodyPipe implements PipeTransform {
  transform(value: unknown): undefined {
    const empty =
      value === undefined ||
      value === null ||
      (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
    if (!empty) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'this route takes no request body', {
        fields: { body: ['must be absent or {}'] },
      });
    }
    return undefined;
  }
}
