export * from './mandate-jobs';
export * from './mandate-services';
export * from './mandate-slot';
