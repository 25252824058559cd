/** What every slice controller of mandates and spend holds: the bus it dispatches through. */
import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';

@Injectable()
export abstract class CommandDispatcher {
  constructor(protected readonly commandBus: CommandBus) {}
}

@Injectable()
export abstract class QueryDispatcher {
  constructor(protected readonly queryBus: QueryBus) {}
}
