import { Query } from '@nestjs/cqrs';
import type { CertificationRead } from '../shared/transfers.view';

/** `userId`'s certification (in lower case). */
export class GetCertificationQuery extends Query<CertificationRead> {
  constructor(readonly userId: string) {
    super();
  }
}
