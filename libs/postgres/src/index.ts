export * from './embedded-postgres';
export * from './database';
export * from './migrator';
export * from './roles';
export * from './horizon';
export * from './failures';
export * from './young-rows-client';
export * from './deferred-writes';
