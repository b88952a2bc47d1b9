export * from './flow-substrate';
export * from './flow-from-topology';
export * from './flow-config';
export * from './flow-plugin';
