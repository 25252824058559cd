/**
 * Property of the alert view (issue 12): an alert row whatever its message and payload hold
 * comes out as well-formed JSON that survives a round trip, with both unchanged.
 */
import fc from 'fast-check';
import { alertInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, stored, viewProblems } from '@test/view-property';
import { alertRowView } from './list-alerts.view';

describe('alert view under arbitrary payloads', () => {
  it('is well-formed and keeps message and payload', () => {
    fc.assert(
      fc.property(alertInputs, (i) => {
        const payload = stored(i.payload);
        const view = alertRowView({
          id: 'a',
          type: i.type,
          message: i.message,
          actor_user_id: null,
          actor: 'koba_abcdef',
          payload,
          created_at: A_TIME,
        });
        expect(viewProblems(view)).toEqual([]);
        expect([view.message, view.payload]).toEqual([i.message, payload]);
      }),
      propertyParams(60),
    );
  });
});
