/** What the catalogue's command handlers use: the command runner, the reservation streams. */
import { Inject, Injectable } from '@nestjs/common';
import { CommandRunner } from '@kob/platform';
import { RESERVATIONS, type ReservationStreams } from '../../platform/platform.providers';

@Injectable()
export abstract class CatalogueHandler {
  constructor(
    protected readonly commands: CommandRunner,
    @Inject(RESERVATIONS) protected readonly reservations: ReservationStreams,
  ) {}
}
