/**
 * Properties of the transfer views (issue 12): allowlist entries, certifications and transactions
 * (which hold no free text; amounts up to 18 integer digits at scale 0, 2 or 3) folded from
 * events or read as rows come out as well-formed JSON that survives a round trip, with the
 * amount at its scale and the level unchanged.
 */
import fc from 'fast-check';
import { certificationDecider, transactionDecider } from '@kob/domain';
import { buildTransfer, transferInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, fold, viewProblems } from '@test/view-property';
import {
  allowlistRowView,
  certificationStateView,
  transactionRowView,
  transactionStateView,
} from './transfers.view';

describe('transfer views under arbitrary amounts', () => {
  it('are well-formed and keep the amount and the level', () => {
    fc.assert(
      fc.property(transferInputs, (i) => {
        const built = buildTransfer(i);
        const [, certification, transaction] = built.appends;
        const views = [
          allowlistRowView({
            owner_id: built.ownerId,
            recipient_id: built.receiverId,
            created_at: A_TIME,
          }),
          certificationStateView(fold(certificationDecider, certification!.events)),
          transactionStateView(fold(transactionDecider, transaction!.events)),
          transactionRowView({
            id: built.transactionId,
            sender_id: built.ownerId,
            receiver_id: built.receiverId,
            amount: i.amount,
            currency: i.currency.code,
            scale: i.currency.scale,
            created_at: A_TIME,
            updated_at: A_TIME,
          }),
        ] as const;
        expect(viewProblems(views)).toEqual([]);
        expect([views[1].level, views[2].amount, views[3].amount]).toEqual([
          i.level,
          i.amount,
          i.amount,
        ]);
      }),
      propertyParams(50),
    );
  });
});
