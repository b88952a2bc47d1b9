export * from './elastic-substrate';
export * from './spring-stiffness';
export * from './elastic-topology';
export * from './packing-spring-network';
export * from './explicit-network';
export * from './elastic-from-topology';
export * from './elastic-config';
export * from './elastic-plugin';
