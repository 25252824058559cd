/** A GET route of mandates or spend: senders (their own), support, auditor and admin. */
import { Get, type Type, applyDecorators } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';

export const ReadRoute = (path: string | undefined, query: Type, description: string) =>
  applyDecorators(
    path === undefined ? Get() : Get(path),
    Access('sender', 'support', 'auditor'),
    Dispatches(query),
    ApiOkResponse({ description }),
  );
