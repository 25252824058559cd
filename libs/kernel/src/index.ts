export * from './actor';
export * from './assert';
export * from './errors';
export * from './ids';
export * from './jcs';
export * from './limits';
export * from './money';
export * from './pii';
