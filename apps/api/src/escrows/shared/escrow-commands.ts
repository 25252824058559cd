/**
 * The two ways an escrow slice runs its command on the `escrow-{id}` stream, and the answers they
 * give: `execute` for a command that moves no money (the handler shapes its answer), and
 * `runWithPayments` for one that may start payments (a release, client approve or reject, a
 * deadline): they are sent through the PSP after the append (payments/shared EscrowActions), and
 * the answer is the escrow with the payments this command started.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type EscrowCommand, escrowDecider } from '@kob/domain';
import type { CommandOrigin } from '../../platform/command-origin';
import { type CommandMetadata, CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { type PaymentRead, paymentStateView } from '../../payments/shared/payments.view';
import type { EscrowActionResult, PaymentServices } from '../../payments/shared';
import { PAYMENTS } from '../../tokens';
import type { EscrowRole } from './escrow-access';
import { EscrowReader } from './escrow-reader';
import type { EscrowRead } from './escrows.view';

export type EscrowWithPayments = EscrowRead & { payments: PaymentRead[] };

@Injectable()
export class EscrowCommands {
  constructor(
    private readonly commands: CommandRunner,
    private readonly escrows: EscrowReader,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
  ) {}

  /** Decides and appends `command` on its escrow's stream. */
  execute(command: EscrowCommand, metadata: CommandMetadata) {
    return this.commands.execute({
      streamId: `escrow-${command.escrowId}`,
      decider: escrowDecider,
      command,
      metadata,
    });
  }

  /** Runs `command`, sends the payments it started, and answers them. */
  run(command: EscrowCommand, metadata: CommandMetadata): Promise<EscrowActionResult> {
    return this.payments.actions.run(command.escrowId, command, metadata);
  }

  /** `run`, answered as the escrow with the payments this command started. */
  async runWithPayments(
    command: EscrowCommand,
    metadata: CommandMetadata,
  ): Promise<Committed<EscrowWithPayments>> {
    const result = await this.run(command, metadata);
    const payments = result.paymentIds.flatMap((id) =>
      result.state.payments.filter((p) => p.paymentId === id),
    );
    return new Committed(
      {
        ...(await this.escrows.view(result.state)),
        payments: payments.map((p) => paymentStateView(result.state, p)),
      },
      result.position,
    );
  }

  /**
   * An escrow action that may start payments, by the escrow's party in `role` (any party, or
   * staff, without one): the escrow is checked first, then the request's key, then the command
   * `build` makes (given the escrow id and the command's time) runs.
   */
  async act(
    origin: CommandOrigin,
    escrowId: string,
    role: EscrowRole | undefined,
    build: (escrowId: string, now: string) => EscrowCommand,
  ): Promise<Committed<EscrowWithPayments>> {
    const { escrow, metadata, now } = await this.begin(origin, escrowId, role);
    return this.runWithPayments(build(escrow.escrowId, now), metadata);
  }

  /**
   * A command's first steps, in the order the routes answer them: the escrow (404) and the
   * caller's role in it (403), then the request's idempotency key (optional; 422 if malformed).
   */
  async begin(origin: CommandOrigin, escrowId: string, role: EscrowRole | undefined) {
    const escrow = await this.escrows.state(origin.actor, escrowId, role);
    const metadata = origin.metadata('optional');
    return { escrow, metadata, now: metadata.now.toISOString() };
  }
}
