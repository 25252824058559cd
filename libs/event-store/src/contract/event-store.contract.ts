/**
 * The event store contract, written once for the port: every adapter (PostgreSQL now,
 * EventStoreDB later) runs it through `describeEventStoreContract`. Adapter-specific abilities
 * the contract needs (holding a writer's transaction open, editing a stored row behind the
 * store's back) come from the harness.
 */
import { describeAllReads, describeSubscriptions } from './all-stream.contract';
import { describeOneWriter, describeRacingWriters } from './appends.contract';
import type { ContractHarness, StoreCapabilities } from './contract-kit';
import { describeIntegrityContract } from './integrity.contract';
import { describeAtomicAppends, describeConditions } from './multi-stream.contract';

export { type ContractHarness, type StoreCapabilities, ev, testMetadata } from './contract-kit';

/** The contract; parts an adapter lacks by design (`capabilities`) are left out, by name. */
export function describeEventStoreContract(
  adapter: string,
  makeHarness: () => Promise<ContractHarness>,
  capabilities: StoreCapabilities = { atomicMultiStream: true },
) {
  const lacking = capabilities.atomicMultiStream ? '' : ' (no atomic multi-stream appends)';
  describe(`event store contract: ${adapter}${lacking}`, () => {
    let h: ContractHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h.close();
    });
    const harness = () => h;

    describeOneWriter(harness);
    describeRacingWriters(harness);
    if (capabilities.atomicMultiStream) {
      describeAtomicAppends(harness);
      describeConditions(harness);
    }
    describeAllReads(harness);
    describeSubscriptions(harness);
    describeIntegrityContract(harness);
  });
}
