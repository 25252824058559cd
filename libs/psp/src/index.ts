export * from './psp.port';
export * from './psp-simulator';
export * from './webhook-signature';
