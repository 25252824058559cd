/**
 * Path parameters and query strings get the same treatment as JSON bodies: a NUL character or
 * an unpaired surrogate (which PostgreSQL refuses) is a 422 naming the parameter, never a 500
 * from the database.
 */
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';
import { unstorable } from './json-body';

@Injectable()
export class StorableTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' && metadata.type !== 'query') return value;
    const problem = unstorable(value, metadata.data ?? '', 0);
    if (problem) {
      throw new ApiError(
        422,
        'VALIDATION_ERROR',
        `the ${metadata.type} holds a value this service cannot store`,
        {
          fields: { [problem.path || metadata.type]: [problem.reason] },
        },
      );
    }
    return value;
  }
}
