import { Query } from '@nestjs/cqrs';
import type { AuditStreamView } from '../shared/audit.view';

/** One stream's raw events and the verdict of its chain (`GET /audit/streams/{streamId}`). */
export class GetAuditStreamQuery extends Query<AuditStreamView> {
  constructor(readonly streamId: string) {
    super();
  }
}
