/**
 * What every escrow slice's controller wears, said once: the OpenAPI tag and key scheme with the
 * controller's path (`EscrowsApi`), a route's method, path, status, access, the command or query
 * it dispatches and its documented answer (`CommandRoute`, `QueryRoute`), and the bus it
 * dispatches through (`CommandController`, `QueryController`). A controller then only reads the
 * request and dispatches.
 */
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Post,
  type Type,
  applyDecorators,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Scope } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';

/** The escrow routes (tag `escrows` under `/escrows`), or the usage ones (`spend`, from `/`). */
export const EscrowsApi = (tag: 'escrows' | 'spend' = 'escrows') =>
  applyDecorators(
    ApiTags(tag),
    ApiSecurity('X-API-Key'),
    tag === 'escrows' ? Controller('escrows') : Controller(),
  );

/** Who reads an escrow and what hangs off it: its parties, support, auditors (and admin). */
const PARTY_OR_STAFF: Scope[] = ['sender', 'support', 'auditor'];

export interface RouteSpec {
  /** under the controller's path */
  path?: string;
  /** the command or query the route dispatches */
  dispatches: Type;
  /** the scopes allowed besides admin (a query: parties and staff unless said) */
  access?: Scope[];
  /** the answer, as the OpenAPI document describes it */
  answers: string;
}

/** A `POST` that dispatches a command; 201 answers a creation, 200 anything else. */
export const CommandRoute = (status: 200 | 201, spec: RouteSpec) =>
  applyDecorators(
    Post(spec.path),
    HttpCode(status),
    Access(...(spec.access ?? ['sender'])),
    Dispatches(spec.dispatches),
    status === 201
      ? ApiCreatedResponse({ description: spec.answers })
      : ApiOkResponse({ description: spec.answers }),
  );

/** A `GET` that dispatches a query. */
export const QueryRoute = (spec: RouteSpec) =>
  applyDecorators(
    Get(spec.path),
    Access(...(spec.access ?? PARTY_OR_STAFF)),
    Dispatches(spec.dispatches),
    ApiOkResponse({ description: spec.answers }),
  );

/** A slice's controller that dispatches a command. */
@Injectable()
export abstract class CommandController {
  constructor(protected readonly commandBus: CommandBus) {}
}

/** A slice's controller that dispatches a query. */
@Injectable()
export abstract class QueryController {
  constructor(protected readonly queryBus: QueryBus) {}
}
