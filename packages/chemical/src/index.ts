export * from './chemical-error-config';
export * from './transport-operator';
export * from './chemical-error';
export * from './chemical-plugin';
export * from './chemical-diagnostics';
