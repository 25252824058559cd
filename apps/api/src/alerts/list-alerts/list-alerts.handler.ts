import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { ListAlertsQuery } from './list-alerts.query';
import { type AlertRead, alertRowView } from './list-alerts.view';

@QueryHandler(ListAlertsQuery)
export class ListAlertsHandler implements IQueryHandler<ListAlertsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ filters }: ListAlertsQuery): Promise<Page<AlertRead>> {
    let alerts = this.db.selectFrom('alerts');
    if (filters.type) alerts = alerts.where('type', '=', filters.type);
    const ordered = alerts.selectAll().orderBy('created_at', 'desc').orderBy('id');
    return listPage(alerts, ordered, filters, alertRowView);
  }
}
