import { Query } from '@nestjs/cqrs';

/** The service's health (`GET /health`): always answered; `status` says ok or degraded. */
export class GetHealthQuery extends Query<Record<string, unknown>> {}
