/**
 * The decorators the spend routes share: the controller (`/spend`, tag, API key) and the
 * catalogue's create routes (201, support and admin, the command they dispatch).
 */
import { Controller, HttpCode, Post, type Type, applyDecorators } from '@nestjs/common';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';

export const SpendController = () =>
  applyDecorators(ApiTags('spend'), ApiSecurity('X-API-Key'), Controller('spend'));

export const CatalogueCreate = (path: string, command: Type, description: string) =>
  applyDecorators(
    Post(path),
    HttpCode(201),
    Access('support'),
    Dispatches(command),
    ApiCreatedResponse({ description }),
  );
