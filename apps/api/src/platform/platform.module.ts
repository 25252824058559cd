/**
 * Provides the platform's parts (platform.providers.ts) to every module of the API: the command
 * runner, projection runner, metrics, scheduler and currencies by their class, the rest by token.
 */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CommandRunner, Metrics, type Platform, ProjectionRunner, Scheduler } from '@kob/platform';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  EVENT_STORE,
  LOGGER,
  PLATFORM,
  PSP,
  READ_MODELS,
  RESERVATIONS,
  systemClock,
} from './platform.providers';
import { Currencies } from './currencies';

@Global()
@Module({})
export class PlatformModule {
  static forRoot(platform: Platform, logger: Logger): DynamicModule {
    const providers = [
      { provide: PLATFORM, useValue: platform },
      { provide: LOGGER, useValue: logger },
      { provide: APP_CONFIG, useValue: platform.config },
      { provide: READ_MODELS, useValue: platform.db },
      { provide: EVENT_STORE, useValue: platform.store },
      { provide: PSP, useValue: platform.psp },
      { provide: CLOCK, useValue: systemClock },
      {
        provide: Currencies,
        useFactory: (config: AppConfig) => new Currencies(config.currencies),
        inject: [APP_CONFIG],
      },
      {
        provide: RESERVATIONS,
        useValue: (kind: string, value: string) => platform.reservationStream(kind, value),
      },
      { provide: CommandRunner, useValue: platform.commands },
      { provide: ProjectionRunner, useValue: platform.projections },
      { provide: Metrics, useValue: platform.metrics },
      { provide: Scheduler, useValue: platform.scheduler },
    ];
    return {
      module: PlatformModule,
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
