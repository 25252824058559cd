export * from './api-key-codec';
