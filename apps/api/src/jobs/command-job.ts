/**
 * What every scheduler job shares: it is a `ScheduledJob` (a name, an interval, a run) that
 * registers itself on the platform's scheduler when the application starts, and does its work by
 * dispatching commands, one per to-do item, through the CommandBus (or, outside the Nest
 * application, a `directDispatcher` over the same handlers: the tests and child processes).
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  Optional,
  type Type,
} from '@nestjs/common';
import { type Command, CommandBus, type ICommandHandler } from '@nestjs/cqrs';
import { type JobContext, type Platform, type ScheduledJob, Scheduler } from '@kob/platform';
import { PLATFORM } from '../tokens';

/** What a job dispatches through: the CommandBus, or a direct dispatcher. */
export interface Dispatcher {
  execute<R>(command: Command<R>): Promise<R>;
}

@Injectable()
export abstract class CommandJob implements ScheduledJob, OnApplicationBootstrap {
  abstract readonly name: string;
  abstract readonly intervalMs: number;

  constructor(
    @Inject(PLATFORM) protected readonly platform: Platform,
    @Inject(CommandBus) protected readonly commands: Dispatcher,
    @Optional() @Inject(Scheduler) private readonly scheduler?: Pick<Scheduler, 'register'>,
  ) {}

  /** Registers the job on the scheduler (before it starts: main.ts starts it after the app). */
  onApplicationBootstrap(): void {
    this.scheduler?.register(this);
  }

  abstract run(ctx: JobContext): Promise<string>;
}

/** Dispatches each command to the handler given for its class (no Nest application). */
export function directDispatcher(
  handlers: [Type<Command<unknown>>, ICommandHandler<Command<unknown>>][],
): Dispatcher {
  const by = new Map(handlers);
  return {
    execute<R>(command: Command<R>): Promise<R> {
      const handler = by.get(command.constructor as Type<Command<unknown>>);
      if (!handler) throw new Error(`no handler for ${command.constructor.name}`);
      return handler.execute(command) as Promise<R>;
    },
  };
}
