export * from './alert-append';
export * from './alerts';
