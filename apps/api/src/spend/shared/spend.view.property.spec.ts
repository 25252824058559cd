/**
 * Properties of the catalogue and purchase views (issue 12): categories and merchants folded from
 * events or read as rows, whatever their codes, labels and names hold, and purchases at any
 * amount, come out as well-formed JSON that survives a round trip, with the values unchanged
 * (amounts at the currency's scale).
 */
import fc from 'fast-check';
import { merchantDecider, spendCategoryDecider } from '@kob/domain';
import type { PurchaseRecorded } from '../../mandates/shared';
import {
  buildCatalogue,
  buildMandate,
  catalogueInputs,
  mandateInputs,
} from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, fold, viewProblems } from '@test/view-property';
import { purchaseEventView, purchaseRowView } from './purchase.view';
import {
  categoryRowView,
  categoryStateView,
  merchantRowView,
  merchantStateView,
} from './catalogue.view';

describe('catalogue views under arbitrary names', () => {
  it('category and merchant views are well-formed and keep codes, labels and names', () => {
    fc.assert(
      fc.property(catalogueInputs, (i) => {
        const [category, merchant] = buildCatalogue(i).appends;
        const views = [
          categoryStateView(fold(spendCategoryDecider, category!.events)),
          merchantStateView(fold(merchantDecider, merchant!.events)),
          categoryRowView({
            id: 'c',
            code: i.code,
            label: i.label,
            created_at: A_TIME,
            updated_at: A_TIME,
          }),
          merchantRowView({
            id: 'm',
            name: i.merchantName,
            category_id: null,
            is_certified: i.certified,
            created_at: A_TIME,
            updated_at: A_TIME,
          }),
        ];
        expect(viewProblems(views)).toEqual([]);
        expect(views.map((v) => ('code' in v ? [v.code, v.label] : [v.name]))).toEqual([
          [i.code, i.label],
          [i.merchantName],
          [i.code, i.label],
          [i.merchantName],
        ]);
      }),
      propertyParams(50),
    );
  });
});

describe('purchase views under arbitrary amounts', () => {
  it('are well-formed and keep the amount at its scale', () => {
    fc.assert(
      fc.property(mandateInputs, (i) => {
        const recorded = buildMandate(i).appends[0]!.events[1]!.data as PurchaseRecorded;
        const fromEvent = purchaseEventView(recorded);
        const fromRow = purchaseRowView({
          id: recorded.purchaseId,
          sender_id: recorded.senderId,
          beneficiary_id: recorded.beneficiaryId,
          merchant_id: recorded.merchantId,
          category_id: null,
          mandate_id: recorded.mandateId,
          amount: i.spent,
          currency: i.currency.code,
          scale: i.currency.scale,
          created_at: A_TIME,
          updated_at: A_TIME,
        });
        expect(viewProblems([fromEvent, fromRow])).toEqual([]);
        expect([fromEvent.amount, fromRow.amount]).toEqual([i.spent, i.spent]);
      }),
      propertyParams(50),
    );
  });
});
