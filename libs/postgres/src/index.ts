export * from './embedded-postgres';
export * from './database';
export * from './migrator';
export * from './failures';
