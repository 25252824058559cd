export * from '../contract/event-store.contract';
