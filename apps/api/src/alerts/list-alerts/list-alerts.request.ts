/** The filters of `GET /alerts`: a page, and optionally one alert type. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { alertTypes } from '@kob/domain';
import { PageQuery } from '../../http/pagination';

export class AlertsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: alertTypes })
  @IsOptional()
  @IsIn(alertTypes)
  type?: string;
}
