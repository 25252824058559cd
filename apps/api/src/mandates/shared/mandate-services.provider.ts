/** `MandateServices` for the handlers that create mandates, record purchases, clean up. */
import type { Provider } from '@nestjs/common';
import type { Platform } from '@kob/platform';
import { PLATFORM } from '../../platform/platform.providers';
import { MandateServices } from './mandate-services';

export const mandateServicesProvider: Provider = {
  provide: MandateServices,
  useFactory: (platform: Platform) => new MandateServices(platform),
  inject: [PLATFORM],
};
