/** The decorator every mandate route's controller shares: `/mandates`, its tag, the API key. */
import { Controller, applyDecorators } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';

export const MandatesController = () =>
  applyDecorators(ApiTags('mandates'), ApiSecurity('X-API-Key'), Controller('mandates'));
