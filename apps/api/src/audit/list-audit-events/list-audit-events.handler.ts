/**
 * A page of the masked audit_log read model in `$all` order, filtered by stream, type,
 * actor-label prefix and a start position (exclusive; 400 INVALID_EVENT_POSITION if malformed).
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { sql } from 'kysely';
import { type Position, decodePosition } from '@kob/event-store';
import { auditEntry } from '@kob/platform';
import { ApiError } from '../../http/api-error';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import type { AuditEventView } from '../shared/audit.view';
import { ListAuditEventsQuery } from './list-audit-events.query';
import type { AuditEventsQuery } from './list-audit-events.request';

/** `LIKE 'prefix%'` with the prefix's own `%`, `_` and `\` taken literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function startPosition(token: string | undefined): Position | null {
  if (token === undefined) return null;
  const after = decodePosition(token);
  if (!after)
    throw new ApiError(400, 'INVALID_EVENT_POSITION', 'from_position is not a position token');
  return after;
}

function filtered(db: ReadModelsDb, f: AuditEventsQuery, after: Position | null) {
  let q = db.selectFrom('audit_log');
  if (f.stream !== undefined) q = q.where('stream_id', '=', f.stream);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  if (f.actor_prefix !== undefined) q = q.where('actor_label', 'like', likePrefix(f.actor_prefix));
  if (after) {
    const tx = after.tx.toString();
    const pos = after.pos.toString();
    q = q.where(sql<boolean>`(position_tx, position_pos) > (${tx}::text::xid8, ${pos}::bigint)`);
  }
  return q;
}

@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ filters }: ListAuditEventsQuery): Promise<Page<AuditEventView>> {
    const after = startPosition(filters.from_position);
    const events = () => filtered(this.db, filters, after);
    const ordered = events()
      .select([
        sql<string>`position_tx::text`.as('tx'),
        sql<string>`position_pos::text`.as('pos'),
        'event_id',
        'stream_id',
        sql<string>`revision::text`.as('revision'),
        'type',
        'actor',
        'actor_label',
        'occurred_at',
        'correlation_id',
        'data',
      ])
      .orderBy('position_tx')
      .orderBy('position_pos');
    return listPage(events(), ordered, filters, auditEntry);
  }
}
