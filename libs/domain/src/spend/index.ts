export * from './spend.events';
export * from './spend.commands';
export * from './spend-category.decider';
export * from './merchant.decider';
export * from './usage-allow.decider';
