/** The shape of a spend command: who sends it and the validated body it carries. */
import { Command } from '@nestjs/cqrs';
import type { CommandOrigin } from '../../platform/command-origin';

export abstract class SpendCommand<B, R> extends Command<R> {
  constructor(
    readonly origin: CommandOrigin,
    readonly body: B,
  ) {
    super();
  }
}
