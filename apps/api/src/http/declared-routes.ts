/**
 * Controllers said as a table, for the routes whose command or query is made of one part of the
 * request alone: `new command(origin, body)` (`BodyCommandController`), `new command(origin, id)`
 * from the path, with the body if the route takes one (`IdCommandController`) or `new query(params)`
 * from the query string (`QueryStringController`). The route's method is what a hand-written one
 * would be (`@Origin() origin, @Body() body`, `@Origin() origin, @Param('id') id,
 * @Body(NoBodyPipe) _body` or `@Query() params`): its input is validated against its class and
 * documented from it; the slice's controller adds `@ApiController`.
 */
import { Body, Param, Query, type Type } from '@nestjs/common';
import type { Command, Query as BusQuery } from '@nestjs/cqrs';
import { Origin } from '../auth/access.guard';
import type { CommandOrigin } from '../platform/command-origin';
import type { ApiError } from './api-error';
import { NoBodyPipe } from './no-body.pipe';
import { routeId } from './route-id';
import {
  CommandController,
  CommandRoute,
  type CommandRouteSpec,
  QueryController,
  QueryRoute,
  type RouteSpec,
} from './routes';

interface DeclaredRoute {
  /** the method's name, the second half of the OpenAPI operation id */
  name?: string;
}

export interface BodyCommandSpec<B> extends Omit<CommandRouteSpec, 'dispatches'>, DeclaredRoute {
  status: 200 | 201;
  /** the body's class: validated (unknown fields refused) and documented */
  body: Type<B>;
  /** the command the route dispatches, made of the caller and the body */
  command: new (origin: CommandOrigin, body: B) => Command<unknown> & { origin: CommandOrigin };
  /** `required`: a request without an Idempotency-Key is refused before anything else */
  idempotencyKey?: 'required';
}

export interface IdCommandSpec<B>
  extends Omit<CommandRouteSpec, 'dispatches'>, Required<DeclaredRoute> {
  status: 200 | 201;
  /** the path's parameter that names the record (`id` unless said) */
  param?: string;
  /** the route's 404, for an id that is not a UUID (so cannot name a record) */
  notFound: () => ApiError;
  /** the body's class, validated and documented; none: the route takes no body (`NoBodyPipe`) */
  body?: Type<B>;
  /**
   * the command the route dispatches, made of the caller, the record's id (in lower case) and,
   * with `body`, the body sent (if any)
   */
  command: new (origin: CommandOrigin, id: string, body?: B) => Command<unknown>;
}

export interface QueryStringSpec<P> extends Omit<RouteSpec, 'dispatches'>, DeclaredRoute {
  /** the class of the query string's parameters: validated (unknown ones refused), documented */
  params: Type<P>;
  /** the query the route dispatches, made of the query string's parameters */
  query: new (params: P) => BusQuery<unknown>;
}

/**
 * Gives `base` the route method `name`: `run` on the request's parts (`parts`, their classes as
 * TypeScript would emit them: the pipes read those), under the decorator `route`.
 */
function declareRoute<T extends object>(
  base: abstract new (...args: never[]) => T,
  name: string,
  parts: { decorator: ParameterDecorator; type: Type | undefined }[],
  route: MethodDecorator,
  run: (this: T, ...args: never[]) => unknown,
): void {
  const prototype = base.prototype as object;
  // Nest and the OpenAPI explorer know a route's method by its function's name.
  Object.defineProperty(run, 'name', { value: name });
  Object.defineProperty(prototype, name, { configurable: true, writable: true, value: run });
  const types = parts.map((part) => part.type);
  Reflect.defineMetadata('design:paramtypes', types, prototype, name);
  parts.forEach((part, index) => part.decorator(prototype, name, index));
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name) as PropertyDescriptor;
  route(prototype, name, descriptor);
}

/** A base for the controller of one command route: the command is the caller and the body. */
export function BodyCommandController<B>(spec: BodyCommandSpec<B>): Type<CommandController> {
  const { status, body: bodyType, command, idempotencyKey, name = 'create', ...route } = spec;
  abstract class BodyCommandRoute extends CommandController {
    static {
      declareRoute(
        this,
        name,
        [
          { decorator: Origin(), type: Object },
          { decorator: Body(), type: bodyType },
        ],
        CommandRoute(status, { ...route, dispatches: command }),
        function (this: BodyCommandRoute, origin: CommandOrigin, body: B) {
          const dispatched = new command(origin, body);
          if (idempotencyKey) return this.dispatch(dispatched, idempotencyKey);
          return this.commandBus.execute(dispatched);
        },
      );
    }
  }
  return BodyCommandRoute as unknown as Type<CommandController>;
}

/**
 * A base for the controller of one command route on a record named in the path: the command is
 * the caller, the id and the body, if the route takes one (else a body sent is refused:
 * `NoBodyPipe`).
 */
export function IdCommandController<B>(spec: IdCommandSpec<B>): Type<CommandController> {
  const { status, param = 'id', notFound, body: bodyType, command, name, ...route } = spec;
  abstract class IdCommandRoute extends CommandController {
    static {
      declareRoute(
        this,
        name,
        [
          { decorator: Origin(), type: Object },
          { decorator: Param(param), type: String },
          bodyType
            ? { decorator: Body(), type: bodyType }
            : // what TypeScript emits for a parameter typed `undefined`
              { decorator: Body(NoBodyPipe), type: undefined },
        ],
        CommandRoute(status, { ...route, dispatches: command }),
        function (this: IdCommandRoute, origin: CommandOrigin, rawId: string, body?: B) {
          return this.commandBus.execute(new command(origin, routeId(rawId, notFound), body));
        },
      );
    }
  }
  return IdCommandRoute as unknown as Type<CommandController>;
}

/** A base for the controller of one query route: the query is the query string's parameters. */
export function QueryStringController<P>(spec: QueryStringSpec<P>): Type<QueryController> {
  const { params: paramsType, query, name = 'list', ...route } = spec;
  abstract class QueryStringRoute extends QueryController {
    static {
      declareRoute(
        this,
        name,
        [{ decorator: Query(), type: paramsType }],
        QueryRoute({ ...route, dispatches: query }),
        function (this: QueryStringRoute, params: P) {
          return this.queryBus.execute(new query(params));
        },
      );
    }
  }
  return QueryStringRoute as unknown as Type<QueryController>;
}
