export * from './mandate.commands';
export * from './mandate.decider';
export * from './mandate.events';
