/** `POST /transactions` (KOBATELA-SPEC.md §2.10): admin records a transfer between users. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { CompleteTransactionCommand } from './complete-transaction.command';
import { TransactionBody } from './complete-transaction.request';

const ANSWERS = 'The COMPLETED transaction; 403 UNAUTHORIZED_TRANSFER raises an alert';

@ApiController('transfers')
export class CompleteTransactionController extends CommandController {
  /** Without an Idempotency-Key: 400, whatever the body says. */
  @CommandRoute(201, {
    path: 'transactions',
    dispatches: CompleteTransactionCommand,
    access: [],
    answers: ANSWERS,
  })
  createTransaction(@Origin() origin: CommandOrigin, @Body() body: TransactionBody) {
    const [senderId, receiverId] = [body.sender_id.toLowerCase(), body.receiver_id.toLowerCase()];
    const { amount, currency } = body;
    const command = new CompleteTransactionCommand(origin, senderId, receiverId, amount, currency);
    return this.dispatch(command, 'required');
  }
}
