/** What the handlers that create mandates and record purchases use: the services, the config. */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { MandateServices } from './mandate-services';

@Injectable()
export abstract class MandateCommandHandler {
  constructor(
    protected readonly mandates: MandateServices,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
  ) {}
}
