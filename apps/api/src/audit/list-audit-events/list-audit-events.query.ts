import { Query } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import type { AuditEventView } from '../shared/audit.view';
import type { AuditEventsQuery } from './list-audit-events.request';

/** A page of the masked audit trail in `$all` order, filtered (`GET /audit/events`). */
export class ListAuditEventsQuery extends Query<Page<AuditEventView>> {
  constructor(readonly filters: AuditEventsQuery) {
    super();
  }
}
