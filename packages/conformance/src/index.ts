export * from './conformance-failure';
export * from './expect-close';
export * from './substrate-fixture';
export * from './substrate-checks';
export * from './run-substrate-conformance';
export * from './random-drive';
export * from './fixture-topologies';
