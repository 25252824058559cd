/**
 * Property (issue 12): the psp_webhooks projector applies every webhook receipt and outcome
 * whatever the PSP signed: provider, event id, kind and references of any Unicode within their
 * bounds, and a body of any JSON shape (`__proto__` keys included: the webhook parses its body
 * itself). No projector halts (the audit trail masks the body's references by code points) and
 * the row keeps the values as sent.
 */
import fc from 'fast-check';
import { buildWebhook, injections, webhookInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('psp_webhooks projector under arbitrary PSP input', () => {
  it('never halts and keeps what the PSP sent', async () => {
    await fc.assert(
      fc.asyncProperty(webhookInputs, injections, async (inputs, injection) => {
        const built = buildWebhook(inputs);
        await h.project(built.appends, injection);
        const row = await h.tdb.db
          .selectFrom('psp_webhooks')
          .select(['provider', 'event_id', 'kind', 'psp_ref', 'status', 'detail'])
          .where('stream_id', '=', built.streamId)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({
          provider: inputs.provider,
          event_id: inputs.eventId,
          kind: inputs.kind,
          psp_ref: inputs.pspRef,
          status: inputs.outcome,
          detail: inputs.detail,
        });
      }),
      propertyParams(15),
    );
  });
});
