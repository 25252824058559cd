/** A request field that is a UUID (documented as one), required or optional. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';

export const UuidField = () => applyDecorators(ApiProperty({ format: 'uuid' }), IsUUID());

export const OptionalUuidField = () =>
  applyDecorators(ApiPropertyOptional({ format: 'uuid' }), IsOptional(), IsUUID());
