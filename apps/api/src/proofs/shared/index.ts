export * from './proof-evidence';
export * from './proof-ports';
export * from './proof-service';
export * from './proof-services';
export * from './proof-adapters';
