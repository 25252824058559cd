/**
 * What every slice's controller wears, said once: its OpenAPI tag and key scheme with its path
 * (`ApiController`), a route's method, path, status, access, the command or query it dispatches
 * and its documented answer (`CommandRoute`, `QueryRoute`), and the bus it dispatches through
 * (`CommandController`, `QueryController`). A controller then only reads the request and
 * dispatches.
 */
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  Patch,
  Post,
  type Type,
  applyDecorators,
} from '@nestjs/common';
import { type Command, CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Scope } from '@kob/kernel';
import { Access } from '../auth/access.decorator';
import type { CommandOrigin } from '../platform/command-origin';
import { Dispatches } from './dispatches.decorator';

/** A feature's controller: tagged `tag`, behind an API key, under `path` (none: from `/`). */
export const ApiController = (tag: string, path?: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiSecurity('X-API-Key'),
    path === undefined ? Controller() : Controller(path),
  );

/** Who reads what hangs off an escrow: its parties, support, auditors (and admin). */
const PARTY_OR_STAFF: Scope[] = ['sender', 'support', 'auditor'];

export interface RouteSpec {
  /** under the controller's path */
  path?: string;
  /** the command or query the route dispatches */
  dispatches: Type;
  /**
   * the scopes allowed besides admin (none: admin only); unless said, a command is for senders
   * and a query for parties and staff
   */
  access?: Scope[];
  /** the answer, as the OpenAPI document describes it */
  answers: string;
}

export interface CommandRouteSpec extends RouteSpec {
  /** `post` unless said */
  method?: 'post' | 'patch' | 'delete';
}

const METHODS = { post: Post, patch: Patch, delete: Delete };

/** The documented answer for each status a command route answers with. */
const ANSWERS = {
  200: ApiOkResponse,
  201: ApiCreatedResponse,
  202: ApiAcceptedResponse,
  204: ApiNoContentResponse,
};

/** A route that dispatches a command, answering `status` (201 a creation, 200 anything else). */
export const CommandRoute = (status: keyof typeof ANSWERS, spec: CommandRouteSpec) =>
  applyDecorators(
    METHODS[spec.method ?? 'post'](spec.path),
    HttpCode(status),
    Access(...(spec.access ?? ['sender'])),
    Dispatches(spec.dispatches),
    ANSWERS[status]({ description: spec.answers }),
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

  /**
   * Dispatches `command` having first asked its origin for the metadata, so that a missing
   * (`required`) or malformed key is refused before anything else.
   */
  protected dispatch<R>(
    command: Command<R> & { origin: CommandOrigin },
    idempotencyKey: 'required' | 'optional',
  ): Promise<R> {
    command.origin.metadata(idempotencyKey);
    return this.commandBus.execute(command);
  }
}

/** A slice's controller that dispatches a query. */
@Injectable()
export abstract class QueryController {
  constructor(protected readonly queryBus: QueryBus) {}
}
