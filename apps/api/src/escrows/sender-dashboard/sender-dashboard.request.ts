/** The query of `GET /sender/dashboard` (validated; unknown parameters refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { limits } from '@kob/kernel';
import { IgnoredFilter } from '../../http/list-filters';
import { wholeNumber } from '../../http/pagination';

/** How many of each list the dashboard shows unless asked (the page asks for 5). */
export const SENDER_DASHBOARD_LIMIT_DEFAULT = 5;

export class SenderDashboardParams {
  /** The most items of each list (1–200, as a list's page). */
  @ApiPropertyOptional({ minimum: 1, maximum: limits.pageLimitMax })
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt()
  @Min(1)
  @Max(limits.pageLimitMax)
  limit: number = SENDER_DASHBOARD_LIMIT_DEFAULT;

  /** Sent by the frontend; accepted and ignored (the summary gives each escrow's actions). */
  @IgnoredFilter('the summary gives each escrow its actions')
  include_actions?: unknown;
}
