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
import {
  type JobContext,
  type Platform,
  type ScheduledJob,
  Scheduler,
  describeCounts,
  eachItem,
} from '@kob/platform';
import { Dispatches } from '../http/dispatches.decorator';
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

/** What an `ItemCommandJob` is made of. */
export interface ItemCommandJobSpec {
  /** the job's name, in the scheduler's logs */
  name: string;
  /** how often it runs, from the configuration */
  intervalMs: (config: Platform['config']) => number;
  /** the command run on each item, of its id and the run's time; it answers the item's outcome */
  command: new (id: string, now: Date) => Command<string>;
  /** what the items are, in the report */
  counted: string;
}

/**
 * A base for a job whose run is one command per item on its to-do list (one bounded batch, read
 * afresh each run: the command decides the item again on its stream), past individual failures,
 * reported as how many items ended in each outcome (`escrows: 2 RELEASED, 1 REFUNDED`). The job
 * says which items are due.
 */
export function ItemCommandJob(spec: ItemCommandJobSpec) {
  @Injectable()
  @Dispatches(spec.command)
  abstract class ItemCommandJobBase extends CommandJob {
    readonly name = spec.name;

    get intervalMs(): number {
      return spec.intervalMs(this.platform.config);
    }

    /** The items due at `now`. */
    protected abstract due(now: Date): Promise<{ id: string }[]>;

    async run({ now }: JobContext): Promise<string> {
      const outcomes = await eachItem(
        await this.due(now),
        (item) => item.id,
        (item) => this.commands.execute(new spec.command(item.id, now)),
      );
      return describeCounts(spec.counted, outcomes);
    }
  }
  return ItemCommandJobBase;
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
