export * from './mandate-services';
export * from './mandate-slot';
