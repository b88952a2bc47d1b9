export * from './lock-in';
export * from './frequency-error-config';
export * from './frequency-plan';
export * from './ac-activation';
export * from './frequency-error';
export * from './frequency-plugin';
export * from './time-average-rule';
export * from './frequency-diagnostics';
