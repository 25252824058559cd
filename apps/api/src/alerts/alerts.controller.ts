/**
 * `GET /alerts?type=` (API-RULES.md §1, §6): support, auditor and admin read the alerts rule
 * rejections, failed payments and a halted ledger raised, newest first, paged.
 */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { alertTypes } from '@kob/domain';
import type { Platform } from '@kob/platform';
import { Access } from '../auth/access.decorator';
import { type Page, PageQuery } from '../http/pagination';
import { PLATFORM } from '../tokens';
import { type AlertRead, alertRowView } from './alerts.view';

export class AlertsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: alertTypes })
  @IsOptional()
  @IsIn(alertTypes)
  type?: string;
}

@ApiTags('alerts')
@ApiSecurity('X-API-Key')
@Controller('alerts')
export class AlertsController {
  constructor(@Inject(PLATFORM) private readonly platform: Platform) {}

  @Get()
  @Access('support', 'auditor')
  @ApiOkResponse({ description: '{items, total, limit, offset}, newest first' })
  async list(@Query() query: AlertsQuery): Promise<Page<AlertRead>> {
    const db = this.platform.db;
    let base = db.selectFrom('alerts');
    if (query.type) base = base.where('type', '=', query.type);
    const [rows, total] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      base.select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(alertRowView),
      total: Number(total.n),
      limit: query.limit,
      offset: query.offset,
    };
  }
}
