export * from './deposits';
export * from './escrow-actions';
export * from './payment-sender';
export * from './payment-services';
export * from './psp-refs';
export * from './psp-webhooks';
export * from './payment-alerts';
