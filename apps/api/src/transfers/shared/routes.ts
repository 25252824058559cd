/**
 * What every controller of the transfers feature is: tagged `transfers`, behind an API key; its
 * routes either admin commands or reads for support and auditors (admin too); it holds the bus it
 * dispatches to.
 */
import { Controller, Get, HttpCode, Injectable, type Type, applyDecorators } from '@nestjs/common';
import { type Command, CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';

export const TransfersController = () =>
  applyDecorators(ApiTags('transfers'), ApiSecurity('X-API-Key'), Controller());

/** An admin route (`Post('path')`, `Delete('path')`) answering `status`, dispatching `command`. */
export const AdminCommandRoute = (
  route: MethodDecorator,
  status: 200 | 201,
  command: Type,
  description: string,
) =>
  applyDecorators(
    route,
    HttpCode(status),
    Access(),
    Dispatches(command),
    status === 201 ? ApiCreatedResponse({ description }) : ApiOkResponse({ description }),
  );

/** `GET path` for support and auditors, dispatching `query`. */
export const ReadRoute = (path: string, query: Type, description: string) =>
  applyDecorators(
    Get(path),
    Access('support', 'auditor'),
    Dispatches(query),
    ApiOkResponse({ description }),
  );

@Injectable()
export abstract class CommandController {
  constructor(protected readonly commandBus: CommandBus) {}

  /**
   * Dispatches `command` having first asked its origin for the metadata, so that a missing
   * (`required`) or malformed key is refused before anything else, as it always was.
   */
  protected dispatch<R>(
    command: Command<R> & { origin: CommandOrigin },
    idempotencyKey: 'required' | 'optional',
  ): Promise<R> {
    command.origin.metadata(idempotencyKey);
    return this.commandBus.execute(command);
  }
}

@Injectable()
export abstract class QueryController {
  constructor(protected readonly queryBus: QueryBus) {}
}
