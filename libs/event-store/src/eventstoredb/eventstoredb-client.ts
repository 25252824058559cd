/**
 * `@eventstore/db-client`, loaded on first use. This library's index exports both adapters, and
 * the client brings gRPC and protobuf with it (about 300 ms to load): a process or test file
 * on PostgreSQL must not pay that. Modules of this adapter import the client's types only, and
 * its values through `esdb()`.
 */
import type * as Esdb from '@eventstore/db-client';

let loaded: typeof Esdb | undefined;

export function esdb(): typeof Esdb {
  loaded ??= require('@eventstore/db-client') as typeof Esdb;
  return loaded;
}
