export * from './decider';
export * from './tally/tally.commands';
export * from './tally/tally.decider';
export * from './tally/tally.events';
