export * from './alert-append';
