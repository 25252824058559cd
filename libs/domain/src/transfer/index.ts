export * from './transfer.events';
export * from './transfer.commands';
export * from './allowlist.decider';
export * from './certification.decider';
export * from './transaction.decider';
